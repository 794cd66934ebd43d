package org.proper.pipeline.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.proper.common.ProperConfig;
import org.proper.model.lm.BaseModel;
import org.proper.pipeline.incremental.ParentArtifacts;
import org.proper.pipeline.incremental.Planner;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;

/**
 * Embeds a user the run has never seen from its profile texts, with the embedding model the embed stage fitted and
 * saved under {@code <run>/model/embedding/} (every built-in method saves one; see
 * {@link UserEmbedder#embedWithModel}; hidden-state also reads the run's base model, so it loads from a run only). The texts go through the same path as the stage's rows — {@link UserTexts},
 * the method's saved model, {@link UserEmbedder}'s L2 normalisation — so a known user's training texts give back its
 * row of user_embeddings. A cold-start user's texts are its profile items rendered like training rows: the prompt, a
 * space, the answer.
 */
public final class ProfileEmbedder {
    private static final StructType ROWS = new StructType()
            .add("user_id", DataTypes.StringType, false)
            .add("split", DataTypes.StringType, false)
            .add("input", DataTypes.StringType, false)
            .add("output", DataTypes.StringType, true);

    private final SparkSession spark;
    private final UserEmbedder embedder;
    private final String modelDir;

    private ProfileEmbedder(SparkSession spark, UserEmbedder embedder, String modelDir) {
        this.spark = spark;
        this.embedder = embedder;
        this.modelDir = modelDir;
    }

    /** Where the embed stage saves the fitted model of a run. */
    public static Path modelDir(RunLayout layout) {
        return ParentArtifacts.modelDir(layout, Planner.EMBEDDING_MODEL);
    }

    /**
     * @param runConfig the configuration the run was trained with (its embed.* options)
     * @throws IllegalStateException naming the run and the directory when the run saved no embedding model (an
     *                               embed.method that cannot embed new users, or an older run)
     */
    public static ProfileEmbedder load(SparkSession spark, RunLayout layout, ProperConfig runConfig, Configuration conf) {
        EmbedOptions options = EmbedOptions.from(runConfig);
        UserEmbedder embedder = new UserEmbedder(options);
        if (UserEmbedder.HIDDEN_STATE.equals(options.method())) {
            BaseModel base = new ArtifactStore(layout, conf).get(ArtifactStore.BASE, BaseModel.class);
            embedder = embedder.withMethod(HiddenStateEmbedding.of(base, ModelSettings.from(runConfig).tokenizer()));
        }
        return load(spark, modelDir(layout), "run " + layout.runId(), embedder, conf);
    }

    /**
     * Loads the model a {@link UserEmbedder} with {@code options} saved under {@code dir}.
     *
     * @throws IllegalArgumentException for embed.method hidden-state, whose model needs the run's base model too
     *                                  (use {@link #load(SparkSession, RunLayout, ProperConfig, Configuration)})
     */
    public static ProfileEmbedder load(SparkSession spark, Path dir, EmbedOptions options, Configuration conf) {
        if (UserEmbedder.HIDDEN_STATE.equals(options.method())) {
            throw new IllegalArgumentException("Cannot embed a new user from " + dir + " alone with embed.method hidden-state: "
                    + "it needs the run's base model; load the profile embedder from the run (its layout and configuration)");
        }
        return load(spark, dir, dir.toString(), new UserEmbedder(options), conf);
    }

    private static ProfileEmbedder load(SparkSession spark, Path dir, String what, UserEmbedder embedder, Configuration conf) {
        try {
            if (!embedder.reusesModels() || !dir.getFileSystem(conf).exists(dir)) {
                throw new IllegalStateException("Cannot embed a new user for " + what + ": it saved no embedding model ("
                        + dir + " missing)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check " + dir + ": " + e.getMessage(), e);
        }
        return new ProfileEmbedder(spark, embedder, dir.toString());
    }

    /** The L2-normalised embedding of one user's texts (all zeros when no token is known to the model). */
    public float[] embed(List<String> texts) {
        if (texts.isEmpty()) throw new IllegalArgumentException("Cannot embed a profile: it has no texts");
        List<Row> rows = new ArrayList<>(texts.size());
        for (String t : texts) rows.add(RowFactory.create("profile", "train", t, null));
        Dataset<Row> interactions = spark.createDataFrame(rows, ROWS);
        List<Float> v = embedder.embedWithModel(interactions, modelDir).select("embedding").first().getList(0);
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) out[i] = v.get(i);
        return out;
    }
}
