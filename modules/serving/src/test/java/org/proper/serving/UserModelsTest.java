package org.proper.serving;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.e2e.TinyRuns;
import org.proper.pipeline.embed.ProfileEmbedder;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.stages.GroupStage;
import org.proper.pipeline.stages.PopulationStage;
import org.proper.pipeline.train.AdapterRecords;
import org.proper.pipeline.train.ArtifactStore;
import org.proper.pipeline.train.ModelSettings;

/**
 * Serving a real tiny run (trained by the pipeline, fixed seeds): the composition serving builds from the published
 * tables equals the one the evaluate stage builds from the stages' artifacts, for every kind of user.
 */
class UserModelsTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static ProperConfig config;
    static RunContext run;
    static UserModels models;
    /** What the evaluate stage composes from: the stages' own artifacts (merged.bin, experts.bin, the adapters table read by Spark). */
    static BaseModel evalMerged;
    static GroupExperts evalExperts;
    static Map<String, List<TensorRecord>> evalUserRecords = new LinkedHashMap<>();
    static List<String> trained = new ArrayList<>();
    static List<String> belowMinHistory = new ArrayList<>();
    /** user → (query input, gold) of the evaluated split. */
    static Map<String, List<String[]>> queries = new LinkedHashMap<>();

    @BeforeAll
    static void trainAndPublishATinyRun() throws Exception {
        spark = TinyRuns.spark("local[2]");
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(), Map.of());
        run = TinyRuns.run(spark, config, "tiny", TinyRuns.all());

        ArtifactStore artifacts = new ArtifactStore(run.layout(), CONF);
        evalMerged = artifacts.get(PopulationStage.MERGED, BaseModel.class);
        evalExperts = artifacts.get(GroupStage.EXPERTS, GroupExperts.class);
        for (TensorRecord r : new AdapterTableReader(spark).readLevel(run.layout().tableUri(RunLayout.ADAPTERS), AdapterRecords.USER).collect()) {
            evalUserRecords.computeIfAbsent(r.ownerId(), k -> new ArrayList<>()).add(r);
        }
        queries.putAll(EvaluatedRun.queriesByUser(run));
        for (String u : new TreeSet<>(queries.keySet())) {
            (evalUserRecords.containsKey(u) ? trained : belowMinHistory).add(u);
        }
        models = UserModels.open(AdapterStore.open(run.layout().warehouse(), "tiny", CONF));
    }

    @AfterAll
    static void stop() {
        if (models != null) models.release();
        if (spark != null) spark.stop();
    }

    private static float[][] logits(Composition c, float[] embedding, String prompt) {
        int[] tokens = models.settings().encoder(TaskSpecs.of(models.task())).encodePrompt(prompt);
        return Generator.logits(c, embedding, tokens);
    }

    private static double maxAbsDiff(float[][] a, float[][] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i].length, b[i].length);
            for (int j = 0; j < a[i].length; j++) max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
        }
        return max;
    }

    private static UserAdapter evalUser(String u) {
        return AdapterRecords.toUser(u, evalUserRecords.get(u), models.settings().userLora(), evalMerged.config());
    }

    @Test
    void sharedPartsEqualTheStagesArtifacts() {
        assertTrue(trained.size() >= 2 && belowMinHistory.size() >= 1, "tiny run has users of both kinds: " + trained + " / " + belowMinHistory);
        // base.bin + the published population adapter, merged here, is bit-identical to the stage's merged base
        assertEquals(evalMerged.fingerprint(), models.compositions().merged().fingerprint());
        GroupExperts served = models.compositions().experts();
        assertEquals(evalExperts.k(), served.k());
        assertEquals(evalExperts.tau(), served.tau());
        assertTensorEquals(evalExperts.centroids(), served.centroids());
        for (int k = 0; k < evalExperts.k(); k++) {
            for (var m : evalExperts.modules()) {
                assertTensorEquals(evalExperts.experts().get(k).a(m.name()), served.experts().get(k).a(m.name()));
                assertTensorEquals(evalExperts.experts().get(k).b(m.name()), served.experts().get(k).b(m.name()));
            }
        }
        evalExperts.routerV().forEach((m, v) -> assertTensorEquals(v, served.routerV().get(m)));
        assertEquals(ModelSettings.from(config), models.settings(), "settings recovered from the manifest's config");
    }

    private static void assertTensorEquals(Tensor want, Tensor got) {
        assertNotNull(got);
        assertTrue(java.util.Arrays.equals(want.shape(), got.shape()), java.util.Arrays.toString(got.shape()));
        assertTrue(java.util.Arrays.equals(want.data(), got.data()));
    }

    @Test
    void trainedUserGetsTheEvaluateStagesCompositionAndItsAnswers() {
        Predictor predictor = models.predictor();
        for (String u : trained.subList(0, 2)) {
            UserModel m = models.forUser(u);
            assertEquals(UserModel.Served.USER_LORA, m.served(), m.describe());
            assertNotNull(m.embedding());
            String prompt = queries.get(u).get(0)[0];
            Composition eval = new Composition(evalMerged, evalExperts, evalUser(u), models.settings().group().hardRouting());
            float[][] want = logits(eval, m.embedding(), prompt);
            assertTrue(maxAbsDiff(want, logits(m.composition(), m.embedding(), prompt)) <= 1e-5, u);
            assertEquals(predictor.predict(eval, m.embedding(), prompt), m.answer(predictor, prompt), u);
            eval.release();
            m.release();
        }
    }

    @Test
    void servedAnswersScoreAsTheEvaluateStageScoredThem() {
        Predictor predictor = models.predictor();
        Map<String, Double> evaluated = EvaluatedRun.properAccuracyByUser(run);
        List<String> users = new ArrayList<>(trained.subList(0, 3));
        users.addAll(belowMinHistory.subList(0, Math.min(2, belowMinHistory.size())));
        for (String u : users) {
            UserModel m = models.forUser(u);
            List<String> golds = new ArrayList<>(), predictions = new ArrayList<>();
            for (String[] q : queries.get(u)) {
                golds.add(q[1]);
                predictions.add(m.answer(predictor, q[0]));
            }
            double accuracy = MetricAccumulator.evaluate(TaskSpecs.of(models.task()), golds, predictions).get(Metric.ACCURACY);
            assertEquals(evaluated.get(u), accuracy, 1e-12, u + " (" + m.served() + ") answered " + predictions + ", gold " + golds);
            m.release();
        }
    }

    @Test
    void knownUserBelowMinHistoryIsRoutedByItsEmbedding() {
        String u = belowMinHistory.get(0);
        UserModel m = models.forUser(u);
        assertEquals(UserModel.Served.KNOWN_VIA_ROUTER, m.served(), m.describe());
        assertSame(models.compositions().router(), m.composition(), "the shared router composition");
        float[] e = models.store().forUser(u).embedding();
        assertTrue(java.util.Arrays.equals(e, m.embedding()));
        String prompt = queries.get(u).get(0)[0];
        Composition router = new Composition(evalMerged, evalExperts, null, models.settings().group().hardRouting());
        assertTrue(maxAbsDiff(logits(router, e, prompt), logits(m.composition(), e, prompt)) <= 1e-5);
        router.release();
    }

    @Test
    void coldStartUserIsTheRouterOnlyCompositionAndDiffersFromTheTrainedUser() {
        String u = trained.get(0);
        UserModel mine = models.forUser(u);
        float[] e = mine.embedding();
        UserModel cold = models.forUser("never-seen-user", e);
        assertEquals(UserModel.Served.COLD_START, cold.served(), cold.describe());
        assertFalse(models.knows("never-seen-user"));
        String prompt = queries.get(u).get(0)[0];
        Composition routerOnly = new Composition(evalMerged, evalExperts, null, models.settings().group().hardRouting());
        float[][] coldLogits = logits(cold.composition(), cold.embedding(), prompt);
        assertTrue(maxAbsDiff(logits(routerOnly, e, prompt), coldLogits) <= 1e-5, "cold start = router only");
        double diff = maxAbsDiff(logits(mine.composition(), e, prompt), coldLogits);
        assertTrue(diff > 1e-4, "the user's LoRA changes its logits (max |diff| " + diff + ")");
        routerOnly.release();
        mine.release();

        UserModel nothing = models.forUser("never-seen-user");
        assertEquals(UserModel.Served.POPULATION, nothing.served());
        assertNull(nothing.embedding());
        Composition population = Composition.of(evalMerged);
        assertTrue(maxAbsDiff(logits(population, null, prompt), logits(nothing.composition(), null, prompt)) <= 1e-5);
        population.release();
    }

    @Test
    void theSavedEmbeddingModelEmbedsAProfileAsTheEmbedStageDid() {
        ProfileEmbedder embedder = ProfileEmbedder.load(spark, run.layout(), models.config(), CONF);
        for (String u : List.of(trained.get(0), belowMinHistory.get(0))) {
            List<String> texts = new ArrayList<>();
            for (Row r : spark.read().parquet(run.layout().tableUri(RunLayout.INTERACTIONS))
                    .where(col("user_id").equalTo(u).and(col("split").equalTo("train"))).select("input", "output").collectAsList()) {
                texts.add(r.getString(0) + " " + r.getString(1));
            }
            float[] want = models.store().forUser(u).embedding();
            float[] got = embedder.embed(texts);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, u + " dim " + i);
            // routed as a stranger with that profile: the cold-start composition with the same embedding
            UserModel cold = models.forUser("stranger-like-" + u, got);
            assertEquals(UserModel.Served.COLD_START, cold.served());
            assertSame(models.compositions().router(), cold.composition());
        }
    }

    @Test
    void aRunWithoutAnEmbeddingModelIsNamedWhenAProfileIsEmbedded() {
        RunLayout other = RunLayout.of(run.layout().warehouse(), "no-embedder");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProfileEmbedder.load(spark, other, models.config(), CONF));
        assertTrue(e.getMessage().contains("run no-embedder") && e.getMessage().contains("model/embedding"), e.getMessage());
    }

    @Test
    void aColdStartEmbeddingOfTheWrongSizeIsRefusedNamingBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> models.forUser("never-seen-user", new float[]{1f, 0f}));
        assertTrue(e.getMessage().contains("2 dimensions") && e.getMessage().contains("centroids 4"), e.getMessage());
    }
}
