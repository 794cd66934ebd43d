package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.model.infer.HiddenStates;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.ModelConfig;
import org.proper.pipeline.run.LocalSpark;

/** The "hidden-state" method on a real local[2] session with a tiny GPT-2 base (d-model 16). */
class HiddenStateEmbeddingTest {
    private static final ByteTokenizer TOK = new ByteTokenizer();
    private static final ModelConfig TINY = ModelConfig.gpt2(16, 1, 2, 32, 48);
    private static SparkSession spark;
    private static BaseModel base;
    private static Dataset<Row> interactions;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("HiddenStateEmbeddingTest");
        base = BaseModel.init(TINY, 7L);
        interactions = PlantedUsers.interactions(spark, 3, 4, 3, 1, "answer", 1L).repartition(3).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static UserEmbedder embedder(int dim) {
        return new UserEmbedder(EmbedOptions.of(UserEmbedder.HIDDEN_STATE, dim)).withMethod(HiddenStateEmbedding.of(base, TOK));
    }

    @Test
    void everyUserGetsOneUnitVectorOfEmbedDimComputedInTasksAndTheSameOnARerun() throws Exception {
        AtomicInteger tasks = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                tasks.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        Dataset<Row> embeddings = embedder(4).embed(interactions);
        Map<String, float[]> e = UserEmbedderTest.byUser(embeddings);
        spark.sparkContext().listenerBus().waitUntilEmpty();
        spark.sparkContext().removeSparkListener(counter);
        assertTrue(tasks.get() >= 3, "the forward passes ran in Spark tasks, one per partition at least: " + tasks.get());
        assertEquals(3 * 4 + 1, e.size(), "every user, the cold-start one included");
        for (Map.Entry<String, float[]> entry : e.entrySet()) {
            assertEquals(4, entry.getValue().length, entry.getKey());
            assertEquals(1.0, norm(entry.getValue()), 1e-5, "norm of " + entry.getKey());
        }
        assertEquals(e.size(), e.values().stream().map(java.util.Arrays::toString).distinct().count(), "users differ");
        assertEquals(List.of(UserEmbedder.HIDDEN_STATE), embeddings.select("method").distinct().as(Encoders.STRING()).collectAsList());
        Map<String, float[]> again = UserEmbedderTest.byUser(embedder(4).embed(interactions));
        for (String user : e.keySet()) {
            for (int i = 0; i < 4; i++) assertEquals(e.get(user)[i], again.get(user)[i], 1e-6, user + "[" + i + "]");
        }
    }

    /** With embed.dim = d-model there is no PCA: a user's row is the normalised mean over its texts of their mean hidden states. */
    @Test
    void withoutPcaAUsersRowIsTheMeanOfItsTextsMeanHiddenStates() {
        Map<String, float[]> e = UserEmbedderTest.byUser(embedder(TINY.dModel()).embed(interactions));
        List<String> texts = interactions.where(col("user_id").equalTo("g1u2").and(col("split").equalTo("train")))
                .select("input", "output").collectAsList().stream().map(r -> r.getString(0) + " " + r.getString(1)).toList();
        int[][] seqs = texts.stream().map(t -> HiddenStates.encode(TOK, t, TINY.maxSeqLen())).toArray(int[][]::new);
        float[][] perText = HiddenStates.mean(base, seqs, TINY.maxSeqLen());
        double[] mean = new double[TINY.dModel()];
        for (float[] v : perText) for (int j = 0; j < mean.length; j++) mean[j] += v[j] / (double) perText.length;
        double n = 0;
        for (double x : mean) n += x * x;
        n = Math.sqrt(n);
        for (int j = 0; j < mean.length; j++) assertEquals(mean[j] / n, e.get("g1u2")[j], 1e-5, "g1u2[" + j + "]");
    }

    /** The saved PCA + base fingerprint embed the same users into their rows; another base is refused. */
    @Test
    void theSavedModelEmbedsUsersIntoTheirRowsWithTheSameBaseOnly(@TempDir File dir) {
        String modelDir = new File(dir, "hidden").getPath();
        Map<String, float[]> rows = UserEmbedderTest.byUser(embedder(4).embed(interactions, modelDir));
        assertTrue(new File(modelDir, "pca").isDirectory() && new File(modelDir, HiddenStateEmbedding.BASE_FINGERPRINT).isFile());
        Dataset<Row> someUsers = interactions.where(col("user_id").isin("g0u1", "g2u3", "cold0"));
        Map<String, float[]> again = UserEmbedderTest.byUser(embedder(4).embedWithModel(someUsers, modelDir));
        assertEquals(3, again.size());
        for (String user : again.keySet()) {
            for (int i = 0; i < 4; i++) assertEquals(rows.get(user)[i], again.get(user)[i], 1e-5, user + "[" + i + "]");
        }
        UserEmbedder otherBase = new UserEmbedder(EmbedOptions.of(UserEmbedder.HIDDEN_STATE, 4))
                .withMethod(HiddenStateEmbedding.of(BaseModel.init(TINY, 8L), TOK));
        IllegalStateException mismatch = assertThrows(IllegalStateException.class, () -> otherBase.embedWithModel(someUsers, modelDir));
        assertTrue(mismatch.getMessage().contains("was fitted on base model " + base.fingerprint()), mismatch.getMessage());
    }

    @Test
    void missingBaseModelAndTooLargeDimAreReportedNamingTheOption() {
        IllegalStateException noBase = assertThrows(IllegalStateException.class,
                () -> new UserEmbedder(EmbedOptions.of(UserEmbedder.HIDDEN_STATE, 4)).embed(interactions));
        assertTrue(noBase.getMessage().contains("embed.method hidden-state: no base model"), noBase.getMessage());
        assertTrue(new UserEmbedder(EmbedOptions.of(UserEmbedder.HIDDEN_STATE, 4)).reusesModels(), "planned as reusable");
        IllegalArgumentException tooWide = assertThrows(IllegalArgumentException.class, () -> embedder(32).embed(interactions));
        assertTrue(tooWide.getMessage().contains("embed.dim 32 exceeds the base model's d-model 16"), tooWide.getMessage());
        IllegalArgumentException fromDir = assertThrows(IllegalArgumentException.class, () -> ProfileEmbedder.load(spark,
                new org.apache.hadoop.fs.Path("/nowhere"), EmbedOptions.of(UserEmbedder.HIDDEN_STATE, 4),
                new org.apache.hadoop.conf.Configuration()));
        assertTrue(fromDir.getMessage().contains("embed.method hidden-state"), fromDir.getMessage());
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        return Math.sqrt(s);
    }
}
