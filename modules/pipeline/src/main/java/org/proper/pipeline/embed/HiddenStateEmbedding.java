package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.proper.model.infer.HiddenStates;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Tokenizer;
import org.proper.pipeline.gpu.GpuBinding;
import org.proper.pipeline.run.AtomicFiles;

/**
 * "hidden-state": the run's base model reads each text (the run's tokenizer: BOS, then the text's last
 * model.max-seq-len − 1 tokens, {@link HiddenStates#encode}) and the text's vector is its mean final hidden state ({@link HiddenStates}: after the final norm, before the
 * LM head, over real tokens); a user's vector is the mean over its texts (a Spark aggregation), reduced from d-model
 * to embed.dim by MLlib PCA with canonical component signs ({@link CanonicalPca}), or kept as is when embed.dim equals
 * d-model.
 *
 * <p>The base model is broadcast; the forward passes run on the executors in batches of {@value #TEXTS_PER_BATCH}
 * texts, through one graph per executor thread (its length is the model's max-seq-len, so every batch reuses it).
 * The driver holds the base model, the d-model² covariance and the PCA projection, never per-user rows. Cost: one
 * forward pass of every text (two when PCA is fitted: the fit reads the cached vectors, the write recomputes them).
 *
 * <p>The saved model ({@code modelDir}) is the PCA ({@code pca/}, absent when embed.dim = d-model) and the base
 * model's fingerprint; the base model itself is the run's {@code base} artifact, which {@link #transform} must be
 * given again (it checks the fingerprint).
 */
public final class HiddenStateEmbedding extends SavingEmbeddingMethod {
    private static final long serialVersionUID = 1L;
    /** Texts per forward pass on an executor. */
    static final int TEXTS_PER_BATCH = 32;
    /** The file under the saved model directory naming the base model the PCA was fitted on. */
    static final String BASE_FINGERPRINT = "base-fingerprint.txt";
    private static final StructType TEXT_VECTORS = new StructType()
            .add("user_id", DataTypes.StringType, false)
            .add("hidden", new VectorUDT(), false);

    /** Null for {@link #withoutModel()}. Transient: it reaches the executors by broadcast, never with this object. */
    private final transient BaseModel base;
    private final Tokenizer tokenizer;
    private final String baseFingerprint;

    private HiddenStateEmbedding(BaseModel base, Tokenizer tokenizer) {
        this.base = base;
        this.tokenizer = tokenizer;
        this.baseFingerprint = base == null ? null : base.fingerprint();
    }

    /** Embeds with {@code base} and the run's tokenizer ({@code ModelSettings.tokenizer()}). */
    public static HiddenStateEmbedding of(BaseModel base, Tokenizer tokenizer) {
        if (base == null || tokenizer == null) {
            throw new IllegalArgumentException("Cannot embed users with embed.method hidden-state: the base model and tokenizer are required");
        }
        tokenizer.requireFits(base.config(), "embed users with embed.method hidden-state");
        return new HiddenStateEmbedding(base, tokenizer);
    }

    /**
     * The method as {@link UserEmbedder} knows it before a run has a base model: selectable and known to save its
     * model (so the incremental planner can plan), but embedding with it fails, naming what is missing.
     */
    static HiddenStateEmbedding withoutModel() {
        return new HiddenStateEmbedding(null, null);
    }

    @Override
    public String name() {
        return UserEmbedder.HIDDEN_STATE;
    }

    /** Saves the PCA as {@code modelDir/pca} (when it reduces) and the base model's fingerprint. */
    @Override
    protected Dataset<Row> fit(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        boolean reduces = reduces(options);
        Dataset<Row> users = userMeans(texts);
        if (!reduces) {
            if (modelDir != null) saveFingerprint(texts.sparkSession(), modelDir);
            return users.select(col("user_id"), col("hidden").as("embedding"));
        }
        users.persist();
        try {
            PCAModel pca = CanonicalPca.fit(new PCA().setInputCol("hidden").setOutputCol("embedding").setK(options.dim()), users);
            if (modelDir != null) {
                save(pca, modelDir + "/pca");
                saveFingerprint(texts.sparkSession(), modelDir);
            }
            return CanonicalPca.project(pca, users);
        } finally {
            // cached for the PCA fit only; the caller's write recomputes the forward passes once
            users.unpersist();
        }
    }

    @Override
    public Dataset<Row> transform(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        boolean reduces = reduces(options);
        String saved = readFingerprint(texts.sparkSession(), modelDir);
        if (!saved.equals(baseFingerprint)) {
            throw new IllegalStateException("Cannot embed users with the hidden-state model in " + modelDir
                    + ": it was fitted on base model " + saved + ", but this embedder has base model " + baseFingerprint);
        }
        Dataset<Row> users = userMeans(texts);
        return reduces ? CanonicalPca.project(PCAModel.load(modelDir + "/pca"), users)
                : users.select(col("user_id"), col("hidden").as("embedding"));
    }

    /** Whether PCA reduces d-model to embed.dim (false when they are equal); validates embed.dim against d-model. */
    private boolean reduces(EmbedOptions options) {
        if (base == null) {
            throw new IllegalStateException("Cannot embed users with embed.method hidden-state: no base model was given "
                    + "(register HiddenStateEmbedding.of(base, tokenizer) with UserEmbedder.withMethod; the embed stage does)");
        }
        int d = base.config().dModel();
        if (options.dim() > d) {
            throw new IllegalArgumentException("Cannot embed users: embed.dim " + options.dim() + " exceeds the base model's d-model "
                    + d + " for embed.method hidden-state");
        }
        return options.dim() < d;
    }

    /** (user_id, hidden: Vector[d-model]): the mean over each user's texts of their mean hidden states. */
    private Dataset<Row> userMeans(Dataset<Row> texts) {
        SparkSession spark = texts.sparkSession();
        Broadcast<BaseModel> bBase = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(base);
        Tokenizer tok = tokenizer;
        JavaRDD<Row> perText = texts.select("user_id", "text").javaRDD()
                .mapPartitions(rows -> textVectors(bBase.value(), tok, rows));
        return spark.createDataFrame(perText, TEXT_VECTORS)
                .groupBy("user_id").agg(Summarizer.mean(col("hidden")).as("hidden"));
    }

    /** On an executor: (user_id, the text's mean hidden state) per text, computed {@value #TEXTS_PER_BATCH} at a time. */
    private static Iterator<Row> textVectors(BaseModel base, Tokenizer tok, Iterator<Row> rows) {
        GpuBinding.bindCurrentTask();
        int seqLen = base.config().maxSeqLen();
        return new Iterator<>() {
            private Iterator<Row> batch = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (!batch.hasNext() && rows.hasNext()) batch = nextBatch();
                return batch.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) throw new NoSuchElementException();
                return batch.next();
            }

            private Iterator<Row> nextBatch() {
                List<String> users = new ArrayList<>(TEXTS_PER_BATCH);
                List<int[]> seqs = new ArrayList<>(TEXTS_PER_BATCH);
                while (rows.hasNext() && seqs.size() < TEXTS_PER_BATCH) {
                    Row r = rows.next();
                    users.add(r.getString(0));
                    seqs.add(HiddenStates.encode(tok, r.getString(1), seqLen));
                }
                float[][] means = HiddenStates.mean(base, seqs.toArray(new int[0][]), seqLen);   // [n][d]
                List<Row> out = new ArrayList<>(means.length);
                for (int i = 0; i < means.length; i++) out.add(RowFactory.create(users.get(i), Vectors.dense(toDouble(means[i]))));
                return out.iterator();
            }
        };
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private void saveFingerprint(SparkSession spark, String modelDir) {
        AtomicFiles.writeFile(new Path(modelDir, BASE_FINGERPRINT), baseFingerprint.getBytes(StandardCharsets.UTF_8),
                spark.sparkContext().hadoopConfiguration());
    }

    private static String readFingerprint(SparkSession spark, String modelDir) {
        Path p = new Path(modelDir, BASE_FINGERPRINT);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try {
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                throw new IllegalStateException("Cannot embed users with a saved hidden-state model: " + p + " does not exist");
            }
            try (InputStream in = fs.open(p)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
