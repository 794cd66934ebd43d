package org.proper.pipeline.e2e;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.data.schema.SchemaContract;
import org.proper.eval.metrics.AdjustedRandIndex;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.RunForks;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.notebook.RunNotebook;
import org.proper.pipeline.run.RunLayout;

/** The whole pipeline on a tiny synthetic data set in a real local SparkSession, with real Parquet outputs. */
class PipelineEndToEndTest {
    @TempDir
    static Path tmp;
    static SparkSession spark;
    static ProperConfig config;
    static RunContext baseline;

    @BeforeAll
    static void runBaseline() throws Exception {
        spark = TinyRuns.spark("local[2,2]"); // two attempts per task: the retry test needs one retry
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(), Map.of());
        baseline = TinyRuns.run(spark, config, "baseline", TinyRuns.all());
    }

    @AfterAll
    static void stop() {
        System.clearProperty("proper.fault.stop-after-shards");
        System.clearProperty("proper.fault.fail-first-attempt");
        if (spark != null) spark.stop();
    }

    private static String table(RunContext ctx, String name) {
        return ctx.layout().tableUri(name);
    }

    /** level/owner/module/tensor -> sha256 of every adapter tensor of a run. */
    private static Map<String, String> adapterHashes(RunContext ctx) {
        List<Row> rows = spark.read().parquet(table(ctx, RunLayout.ADAPTERS))
                .select("level", "owner_id", "module", "tensor", "sha256").collectAsList();
        Map<String, String> out = new TreeMap<>();
        for (Row r : rows) {
            String key = r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3);
            assertFalse(out.containsKey(key), "duplicate adapter tensor " + key);
            out.put(key, r.getString(4));
        }
        return out;
    }

    @Test
    void everyTableMatchesTheContractAndTheManifestIsWrittenLast() throws Exception {
        for (String t : List.of(RunLayout.INTERACTIONS, RunLayout.QUARANTINE, RunLayout.USER_EMBEDDINGS,
                RunLayout.USER_GROUPS, RunLayout.ADAPTERS, RunLayout.METRICS)) {
            SchemaContract.checkParquet(spark, t, table(baseline, t));
        }
        Path root = Path.of(baseline.layout().root().toUri().getPath());
        assertTrue(Files.exists(root.resolve(RunLayout.MANIFEST_FILE)));
        assertTrue(Files.size(root.resolve("report.html")) > 1000);
        long manifestTime = Files.getLastModifiedTime(root.resolve(RunLayout.MANIFEST_FILE)).toMillis();
        try (var files = Files.walk(root)) {
            // _markers/ is the runner's bookkeeping (stage summaries, done markers), not run output
            for (Path p : files.filter(Files::isRegularFile).filter(f -> !f.toString().contains("/_markers/")).toList()) {
                assertTrue(Files.getLastModifiedTime(p).toMillis() <= manifestTime, p + " was written after the manifest");
            }
        }
    }

    @Test
    void everyLevelIsPublishedAndOnlyUsersWithEnoughHistoryGetAnAdapter() {
        Set<String> levels = spark.read().parquet(table(baseline, RunLayout.ADAPTERS)).select("level").distinct()
                .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertEquals(Set.of("population", "group", "router", "user"), levels);
        Set<String> withAdapter = usersWithAdapter(baseline);
        Set<String> eligible = spark.read().parquet(table(baseline, RunLayout.INTERACTIONS)).filter(col("split").equalTo("train"))
                .groupBy("user_id").count().filter(col("count").geq(3)).select("user_id")
                .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertEquals(eligible, withAdapter);
        assertTrue(withAdapter.size() > 5 && withAdapter.size() < 40, "some users are cold start: " + withAdapter.size());
    }

    @Test
    void metricsCoverEveryLevelOverallByBucketAndPerUser() {
        List<Row> overall = spark.read().parquet(table(baseline, RunLayout.METRICS))
                .filter(col("scope").equalTo("overall").and(col("metric").equalTo("accuracy"))).collectAsList();
        Set<String> methods = overall.stream().map(r -> r.getString(0)).collect(Collectors.toSet());
        assertEquals(Set.of("base", "population", "group-only", "PROPER", "user-majority"), methods);
        for (Row r : overall) {
            double v = r.getDouble(r.fieldIndex("value"));
            assertTrue(v >= 0 && v <= 1, "accuracy in [0,1]: " + v);
            assertEquals(40L, r.getLong(r.fieldIndex("n")), "one test query per user");
        }
        long userRows = spark.read().parquet(table(baseline, RunLayout.METRICS)).filter(col("scope").equalTo("user")).count();
        assertTrue(userRows >= 40 * 5, "per-user rows: " + userRows);
        assertTrue(spark.read().parquet(table(baseline, RunLayout.METRICS)).filter(col("scope").equalTo("bucket")).count() > 0);
    }

    /** level/owner/module/tensor -> values of every adapter tensor of a run. */
    private static Map<String, float[]> adapterValues(RunContext ctx) {
        Map<String, float[]> out = new TreeMap<>();
        new org.proper.pipeline.io.AdapterTableReader(spark).read(table(ctx, RunLayout.ADAPTERS)).collect()
                .forEach(r -> out.put(r.key(), r.data()));
        return out;
    }

    @Test
    void clusterStageReportsTheAdjustedRandIndexAgainstThePlantedGroups() {
        List<Row> pairs = spark.read().parquet(table(baseline, RunLayout.USER_GROUPS)).select("user_id", "group_id")
                .join(spark.read().parquet(config.getString("proper.data.input") + "/users"), "user_id")
                .select("planted_group", "group_id").collectAsList();
        assertEquals(40, pairs.size(), "every user has a planted and a recovered group");
        int[] planted = pairs.stream().mapToInt(r -> r.getInt(0)).toArray();
        int[] recovered = pairs.stream().mapToInt(r -> r.getInt(1)).toArray();
        Object reported = StageSummaries.readAll(baseline).get("cluster").get("ari_vs_planted");
        assertTrue(reported instanceof Number, "cluster summary has ari_vs_planted: " + reported);
        assertEquals(AdjustedRandIndex.of(planted, recovered), ((Number) reported).doubleValue(), 1e-12);
    }

    @Test
    void theRunNotebookExecutesOnThisRunAndPlotsItsTables() throws Exception {
        RunNotebook.assumeJupyter(tmp);
        RunNotebook.Executed executed = RunNotebook.execute(Path.of(baseline.layout().root().toUri().getPath()), tmp);
        assertEquals(List.of(), executed.errors());
        // timings, metric by bucket, per-user means, groups, embeddings: every plot has this run's data to draw
        assertEquals(5, executed.images(), "plots drawn");
        assertTrue(executed.text().contains("table metrics: "), executed.text());
        assertTrue(executed.text().contains("users: 40, groups: 3"), executed.text());
        assertTrue(executed.text().contains("norms in [1.0000, 1.0000]"), executed.text());
    }

    private static Set<String> usersWithAdapter(RunContext ctx) {
        return spark.read().parquet(table(ctx, RunLayout.ADAPTERS)).filter(col("level").equalTo("user"))
                .select("owner_id").distinct().collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    }

    @Test
    void withEarlyStoppingUsersHoldOutDevItemsAndStopOnTheirOwnDevLoss() throws Exception {
        RunForks.fork(baseline.layout(), "early-stop", StageName.TRAIN_GROUPS, spark.sparkContext().hadoopConfiguration());
        ProperConfig early = config.with(Map.of("proper.train.early-stopping-patience", "1", "proper.train.users.steps", "40",
                "proper.train.users.lr", "0.3", "proper.train.users.dev-fraction", "0.3"));
        RunContext ctx = TinyRuns.run(spark, early, "early-stop", List.of(StageName.TRAIN_USERS));
        Map<String, Object> summary = StageSummaries.readAll(ctx).get("train-users");
        Map<?, ?> stopping = (Map<?, ?>) summary.get("early_stopping");
        assertEquals(1, ((Number) stopping.get("patience")).intValue());
        assertEquals(0.3, ((Number) stopping.get("dev_share")).doubleValue());
        long stopped = ((Number) stopping.get("users_stopped_early")).longValue();
        long users = ((Number) summary.get("users_with_adapter")).longValue();
        assertTrue(stopped > 0 && stopped < users, stopped + " of " + users + " users stopped early");
        assertEquals(usersWithAdapter(baseline), usersWithAdapter(ctx), "held-out items still count towards min-history");
        Map<?, ?> off = (Map<?, ?>) StageSummaries.readAll(baseline).get("train-users").get("early_stopping");
        assertEquals(0L, ((Number) off.get("users_stopped_early")).longValue(), "patience 0 never stops");
    }

    @Test
    void rerunningWithTheSameConfigGivesTheSameAdapters() throws Exception {
        RunContext again = TinyRuns.run(spark, config, "again", TinyRuns.all());
        Map<String, float[]> want = adapterValues(baseline), got = adapterValues(again);
        assertEquals(want.keySet(), got.keySet());
        double worst = 0;
        String where = "";
        for (Map.Entry<String, float[]> e : want.entrySet()) {
            float[] a = e.getValue(), b = got.get(e.getKey());
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                if (d > worst) {
                    worst = d;
                    where = e.getKey();
                }
            }
        }
        assertTrue(worst <= 1e-5, "largest adapter difference " + worst + " at " + where + " want "
                + Arrays.toString(want.get(where)) + " got " + Arrays.toString(got.get(where)));
    }

    @Test
    void anInterruptedUserStageResumesFromTheLastCommittedShardWithoutDuplicates() throws Exception {
        RunForks.fork(baseline.layout(), "interrupted", StageName.TRAIN_GROUPS, spark.sparkContext().hadoopConfiguration());
        System.setProperty("proper.fault.stop-after-shards", "2");
        try {
            assertThrows(IllegalStateException.class, () -> TinyRuns.run(spark, config, "interrupted", TinyRuns.all()));
        } finally {
            System.clearProperty("proper.fault.stop-after-shards");
        }
        RunContext ctx = RunContext.open(spark, config, "interrupted", baseline.runDate());
        assertEquals(2, ctx.markers().committedShards("train-users").size());
        assertFalse(ctx.markers().isComplete("train-users"));
        TinyRuns.run(spark, config, "interrupted", TinyRuns.all());
        assertEquals(adapterHashes(baseline), adapterHashes(ctx));
    }

    @Test
    void aPretrainedCheckpointBecomesTheRunsBaseModel() throws Exception {
        org.proper.pipeline.train.ArtifactStore store =
                new org.proper.pipeline.train.ArtifactStore(baseline.layout(), spark.sparkContext().hadoopConfiguration());
        org.proper.model.lm.BaseModel base = store.get("base", org.proper.model.lm.BaseModel.class);
        Path checkpoint = tmp.resolve("checkpoint");
        org.proper.model.io.HfCheckpoint.save(base, checkpoint);
        RunForks.fork(baseline.layout(), "from-checkpoint", StageName.CLUSTER, spark.sparkContext().hadoopConfiguration());
        ProperConfig withCheckpoint = config.with(Map.of("proper.model.checkpoint", checkpoint.toString()));
        RunContext ctx = TinyRuns.run(spark, withCheckpoint, "from-checkpoint", List.of(StageName.TRAIN_POPULATION));
        org.proper.model.lm.BaseModel loaded = new org.proper.pipeline.train.ArtifactStore(ctx.layout(), ctx.hadoopConf())
                .get("base", org.proper.model.lm.BaseModel.class);
        assertEquals(base.fingerprint(), loaded.fingerprint());
    }

    @Test
    void aCheckpointWhoseVocabularyIsSmallerThanTheTokenizerIsRefusedBeforeTraining() throws Exception {
        Path checkpoint = tmp.resolve("small-vocab-checkpoint");
        org.proper.model.lm.ModelConfig small = org.proper.model.lm.ModelConfig.gpt2(16, 1, 2, 32, 64).withVocabSize(32);
        org.proper.model.io.HfCheckpoint.save(org.proper.model.lm.BaseModel.init(small, 1), checkpoint);
        RunForks.fork(baseline.layout(), "small-vocab", StageName.CLUSTER, spark.sparkContext().hadoopConfiguration());
        ProperConfig withCheckpoint = config.with(Map.of("proper.model.checkpoint", checkpoint.toString()));
        Exception e = assertThrows(Exception.class,
                () -> TinyRuns.run(spark, withCheckpoint, "small-vocab", List.of(StageName.TRAIN_POPULATION)));
        Throwable root = e;
        while (!(root instanceof IllegalArgumentException) && root.getCause() != null) root = root.getCause();
        assertTrue(root.getMessage().contains("vocabulary only 32"), root.getMessage());
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndTheResultIsUnchanged() throws Exception {
        RunForks.fork(baseline.layout(), "retried", StageName.TRAIN_GROUPS, spark.sparkContext().hadoopConfiguration());
        System.setProperty("proper.fault.fail-first-attempt", "true");
        RunContext ctx;
        try {
            ctx = TinyRuns.run(spark, config, "retried", List.of(StageName.TRAIN_USERS));
        } finally {
            System.clearProperty("proper.fault.fail-first-attempt");
        }
        Map<String, String> want = adapterHashes(baseline), got = adapterHashes(ctx);
        assertEquals(want, got);
    }
}
