package org.proper.pipeline.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.proper.pipeline.run.RunLayout;

/**
 * Embeds a user the run has never seen from its profile texts, with the embedding model the embed stage fitted and
 * saved under {@code <run>/model/embedder/} (a Spark ML PipelineModel, tokens → embedding; tfidf-pca and word2vec).
 * The texts are tokenized as the embed stage does ({@link Tokens}), all of a user's tokens go into one row, and the
 * vector is L2-normalised as {@link UserEmbedder} does (float32 values, norm in double), so a known user's training
 * texts give back its row of user_embeddings. A cold-start user's texts are its profile items rendered like training
 * rows: the prompt, a space, the answer.
 */
public final class ProfileEmbedder {
    /** Where the embed stage saves the fitted model, relative to the run root. */
    public static final String MODEL_DIR = "model/embedder";

    private static final StructType TEXTS = new StructType()
            .add("user_id", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, false);

    private final SparkSession spark;
    private final PipelineModel model;

    private ProfileEmbedder(SparkSession spark, PipelineModel model) {
        this.spark = spark;
        this.model = model;
    }

    public static Path modelDir(RunLayout layout) {
        return new Path(layout.root(), MODEL_DIR);
    }

    static void save(PipelineModel model, String dir) {
        try {
            model.write().overwrite().save(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save the embedding model to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * @throws IllegalStateException naming the run and the directory when the run saved no embedding model (an
     *                               embed.method that cannot embed new users, e.g. hidden-state, or an older run)
     */
    public static ProfileEmbedder load(SparkSession spark, RunLayout layout, Configuration conf) {
        return load(spark, modelDir(layout), "run " + layout.runId(), conf);
    }

    /** Loads a model saved by {@link UserEmbedder#write(Dataset, String, String)} under {@code dir}. */
    public static ProfileEmbedder load(SparkSession spark, Path dir, Configuration conf) {
        return load(spark, dir, dir.toString(), conf);
    }

    private static ProfileEmbedder load(SparkSession spark, Path dir, String what, Configuration conf) {
        try {
            if (!dir.getFileSystem(conf).exists(new Path(dir, "metadata"))) {
                throw new IllegalStateException("Cannot embed a new user for " + what + ": it saved no embedding model ("
                        + dir + " missing; only embed.method tfidf-pca and word2vec save one)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check " + dir + ": " + e.getMessage(), e);
        }
        return new ProfileEmbedder(spark, PipelineModel.load(dir.toString()));
    }

    /** The L2-normalised embedding of one user's texts (all zeros when no token is known to the model). */
    public float[] embed(List<String> texts) {
        if (texts.isEmpty()) throw new IllegalArgumentException("Cannot embed a profile: it has no texts");
        Dataset<Row> one = spark.createDataFrame(List.of(RowFactory.create("profile", String.join(" ", texts))), TEXTS);
        Row r = model.transform(Tokens.add(one)).select("embedding").first();
        return normalise(((Vector) r.get(0)).toArray());
    }

    /** As {@link UserEmbedder}: each value as float32, divided (in double) by the L2 norm computed in double. */
    static float[] normalise(double[] v) {
        float[] f = new float[v.length];
        double sq = 0;
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
            sq += (double) f[i] * f[i];
        }
        double norm = Math.sqrt(sq);
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) out[i] = norm > 0 ? (float) (f[i] / norm) : 0f;
        return out;
    }
}
