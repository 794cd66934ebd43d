package org.proper.pipeline.e2e;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.model.lm.BaseModel;
import org.proper.pipeline.Pipeline;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.Stages;
import org.proper.pipeline.embed.ProfileEmbedder;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;

/**
 * Tiny complete runs with embed.method = hidden-state: the base is obtained once, by the embed stage, and the
 * population stage trains on it; the next night is incremental and embeds its changed user with the parent's base and
 * saved PCA.
 */
class HiddenStateRunTest {
    private static final LocalDate NIGHT1 = LocalDate.of(2026, 11, 24);
    private static final LocalDate NIGHT2 = LocalDate.of(2026, 11, 25);

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static Path data;
    static ProperConfig config;
    static RunContext first;

    @BeforeAll
    static void firstNight() throws Exception {
        spark = TinyRuns.spark("local[2]");
        data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(),
                Map.of("embed.method", UserEmbedder.HIDDEN_STATE, "data.until-run-date", "true", "incremental.parent-run", "latest"));
        first = night(NIGHT1);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private static RunContext night(LocalDate date) throws Exception {
        RunContext ctx = RunContext.open(spark, config, date.toString(), date);
        new Pipeline(Stages.all()).run(ctx, TinyRuns.all(), false);
        return ctx;
    }

    @Test
    void everyStageCompletesAndThePopulationTrainsOnTheBaseTheEmbeddingsCameFrom() {
        Map<String, Map<String, Object>> stages = StageSummaries.readAll(first);
        assertEquals(Arrays.stream(StageName.values()).map(StageName::cliName).toList(), List.copyOf(stages.keySet()),
                "every stage completed");
        Map<String, Object> embed = stages.get(StageName.EMBED.cliName());
        Map<String, Object> population = stages.get(StageName.TRAIN_POPULATION.cliName());
        assertEquals(UserEmbedder.HIDDEN_STATE, embed.get("method"));
        assertTrue(String.valueOf(embed.get("base_model")).startsWith("pretrained here"), String.valueOf(embed.get("base_model")));
        assertTrue(String.valueOf(population.get("base_model")).startsWith("obtained by the embed stage"),
                String.valueOf(population.get("base_model")));
        assertEquals(embed.get("base_fingerprint"), population.get("base_fingerprint"), "the population trained on the embed stage's base");
        assertEquals(embed.get("base_fingerprint"), storedBase(first).fingerprint());

        Map<String, float[]> rows = embeddings(first);
        assertEquals(((Number) stages.get(StageName.INGEST.cliName()).get("users")).intValue(), rows.size());
        assertEquals(List.of(UserEmbedder.HIDDEN_STATE), spark.read().parquet(first.layout().tableUri(RunLayout.USER_EMBEDDINGS))
                .select("method").distinct().as(Encoders.STRING()).collectAsList());
        for (Map.Entry<String, float[]> e : rows.entrySet()) {
            assertEquals(4, e.getValue().length, "embed.dim of " + e.getKey());
            assertEquals(1.0, norm(e.getValue()), 1e-5, "norm of " + e.getKey());
        }
        assertEquals(rows.size(), rows.values().stream().map(Arrays::toString).distinct().count(),
                "every user's texts give its own embedding (the shared prompt template is not what the model reads)");

        // serving's cold-start path embeds a user's training texts into its row, with the run's base and saved PCA
        String user = rows.keySet().iterator().next();
        List<String> texts = spark.read().parquet(first.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("user_id").equalTo(user).and(col("split").equalTo("train")))
                .orderBy("item_id").select("input", "output").collectAsList().stream()
                .map(r -> r.getString(0) + " " + r.getString(1)).toList();
        float[] profile = ProfileEmbedder.load(spark, first.layout(), config, first.hadoopConf()).embed(texts);
        for (int i = 0; i < profile.length; i++) assertEquals(rows.get(user)[i], profile[i], 1e-5, user + "[" + i + "]");
    }

    @Test
    void theNextNightEmbedsItsChangedUserWithTheParentsBaseAndKeepsEveryOtherRow() throws Exception {
        Map<String, float[]> before = embeddings(first);
        String changed = before.keySet().stream().sorted().skip(5).findFirst().orElseThrow();
        IncrementalRunTest.addProfileItems(data, Map.of(changed, NIGHT2.toString()));
        RunContext second = night(NIGHT2);

        Map<String, Map<String, Object>> stages = StageSummaries.readAll(second);
        Map<String, Object> embed = stages.get(StageName.EMBED.cliName());
        Map<String, Object> population = stages.get(StageName.TRAIN_POPULATION.cliName());
        assertEquals(NIGHT1.toString(), embed.get("parent_run"));
        assertEquals(NIGHT1.toString(), population.get("reused_from"), "an incremental night: " + embed.get("plan"));
        assertEquals("parent run " + NIGHT1 + "'s", embed.get("base_model"));
        String parentBase = storedBase(first).fingerprint();
        assertEquals(parentBase, embed.get("base_fingerprint"));
        assertEquals(parentBase, population.get("base_fingerprint"));
        assertEquals(parentBase, storedBase(second).fingerprint());

        Map<String, float[]> after = embeddings(second);
        assertEquals(before.keySet(), after.keySet());
        for (String user : before.keySet()) {
            if (user.equals(changed)) {
                assertFalse(Arrays.equals(before.get(user), after.get(user)), "the changed user was re-embedded: " + user);
                assertEquals(1.0, norm(after.get(user)), 1e-5);
            } else {
                assertArrayEquals(before.get(user), after.get(user), 0f, "kept row of " + user);
            }
        }
    }

    private static BaseModel storedBase(RunContext run) {
        return new ArtifactStore(run.layout(), run.hadoopConf()).get(ArtifactStore.BASE, BaseModel.class);
    }

    private static Map<String, float[]> embeddings(RunContext run) {
        Map<String, float[]> out = new TreeMap<>();
        for (Row r : spark.read().parquet(run.layout().tableUri(RunLayout.USER_EMBEDDINGS)).collectAsList()) {
            List<Float> e = r.getList(1);
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) v[i] = e.get(i);
            out.put(r.getString(0), v);
        }
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) s += x * x;
        return Math.sqrt(s);
    }
}
