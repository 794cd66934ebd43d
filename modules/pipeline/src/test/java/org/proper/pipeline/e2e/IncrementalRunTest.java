package org.proper.pipeline.e2e;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.data.schema.SchemaContract;
import org.proper.pipeline.Pipeline;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.StageName;
import org.proper.pipeline.Stages;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.incremental.Planner;
import org.proper.pipeline.incremental.UserChanges;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Two consecutive nightly runs on synthetic LaMP data in a real local SparkSession with real Parquet: between the
 * nights a few users get new profile items (dated the second night), one gets an item dated after the second night
 * (left out by the run-date cutoff), and a cold-start user gets enough history for an adapter. The second run
 * (parent = "latest") must retrain exactly those users and keep every other adapter tensor byte for byte; a week after
 * the groups were trained the next night must be a full refresh.
 */
class IncrementalRunTest {
    private static final LocalDate NIGHT1 = LocalDate.of(2026, 11, 24);
    private static final LocalDate NIGHT2 = LocalDate.of(2026, 11, 25);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static SparkSession spark;

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private static RunContext night(ProperConfig config, LocalDate date, List<StageName> stages) throws Exception {
        RunContext ctx = RunContext.open(spark, config, date.toString(), date);
        new Pipeline(Stages.all()).run(ctx, stages, false);
        return ctx;
    }

    @Test
    void aNightlyRunRetrainsExactlyTheUsersWithNewInteractionsAndKeepsEveryOtherAdapterByteForByte() throws Exception {
        spark = TinyRuns.spark("local[2]");
        Path data = tmp.resolve("data");
        TinyRuns.generate(spark, data);
        ProperConfig config = TinyRuns.config(tmp.resolve("warehouse").toString(), data.toString(),
                Map.of("data.until-run-date", "true", "incremental.parent-run", "latest",
                        "incremental.drift-threshold", "0.5"));

        RunContext first = night(config, NIGHT1, TinyRuns.all());
        Map<String, Object> m1 = manifest(first);
        assertNull(m1.get("parent_run_id"));
        assertEquals(true, at(m1, "retrained", "population", "retrained"));
        assertEquals(true, at(m1, "retrained", "groups", "retrained"));

        // between the nights: new items for three users with an adapter and for one cold-start user (2 -> 3 items),
        // and an item dated after night 2 for another user (night 2 must not see it)
        Map<String, Long> trainRows = trainRowsPerUser(first);
        List<String> withAdapter = new ArrayList<>(userOwners(first));
        List<String> cold = trainRows.entrySet().stream().filter(e -> e.getValue() == 2L).map(Map.Entry::getKey)
                .filter(u -> !withAdapter.contains(u)).sorted().toList();
        assertFalse(cold.isEmpty(), "the tiny data set has cold-start users with 2 training items");
        Set<String> warm = new TreeSet<>(withAdapter.subList(0, 3));
        String late = withAdapter.get(3);
        String coldUser = cold.get(0);
        Map<String, String> newItemDates = new TreeMap<>();
        warm.forEach(u -> newItemDates.put(u, NIGHT2.toString()));
        newItemDates.put(coldUser, NIGHT2.toString());
        newItemDates.put(late, NIGHT2.plusDays(3).toString());
        addProfileItems(data, newItemDates);

        RunContext second = night(config, NIGHT2, TinyRuns.all());

        // the manifest records the parent and what was retrained and why
        Map<String, Object> m2 = manifest(second);
        assertEquals(NIGHT1.toString(), m2.get("parent_run_id"));
        assertEquals(false, at(m2, "retrained", "population", "retrained"));
        assertEquals(false, at(m2, "retrained", "groups", "retrained"));
        assertEquals(NIGHT1.toString(), at(m2, "retrained", "groups", "trained_in_run"));
        double drift = ((Number) at(m2, "retrained", "groups", "drift")).doubleValue();
        assertTrue(drift >= 0 && drift <= 4.0 / 40, "at most the 4 changed users can change group: " + drift);
        assertEquals(4, ((Number) at(m2, "retrained", "users", "retrained")).intValue());
        assertEquals(3, ((Number) at(m2, "retrained", "users", "changed")).intValue());
        assertEquals(1, ((Number) at(m2, "retrained", "users", "changed_without_parent_adapter")).intValue());
        assertEquals(0, ((Number) at(m2, "retrained", "users", "new")).intValue());
        assertEquals(withAdapter.size() - 3, ((Number) at(m2, "retrained", "users", "kept")).intValue());
        assertEquals(1, ((Number) at(m2, "stage_summaries", "ingest", "after_cutoff")).intValue(),
                "the item dated after night 2 is left out");

        // user_changes: exactly the users with new items up to night 2 changed
        Set<String> changedNow = new TreeSet<>(warm);
        changedNow.add(coldUser);
        SchemaContract.checkParquet(spark, UserChanges.TABLE, second.layout().tableUri(UserChanges.TABLE));
        Map<String, String> changes = new TreeMap<>();
        for (Row r : spark.read().parquet(second.layout().tableUri(UserChanges.TABLE)).collectAsList()) {
            changes.put(r.getString(0), r.getString(1));
        }
        assertEquals(40, changes.size());
        assertEquals(changedNow, changes.entrySet().stream().filter(e -> e.getValue().equals(UserChanges.CHANGED))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(UserChanges.UNCHANGED, changes.get(late));

        // adapters: the 3 warm users' tensors moved on from night 1 and the cold user got one; every other row
        // (population, groups, router, all other users) is byte-identical to night 1's
        Map<String, Tensor> before = adapters(first), after = adapters(second);
        Set<String> expectedKeys = new TreeSet<>(before.keySet());
        Set<String> coldKeys = after.keySet().stream().filter(k -> k.startsWith("user/" + coldUser + "/"))
                .collect(Collectors.toSet());
        assertFalse(coldKeys.isEmpty(), "the cold-start user with a third item now has an adapter");
        expectedKeys.addAll(coldKeys);
        assertEquals(expectedKeys, after.keySet());
        Set<String> moved = new TreeSet<>();
        for (Map.Entry<String, Tensor> e : before.entrySet()) {
            String owner = e.getKey().split("/")[1];
            Tensor now = after.get(e.getKey());
            if (e.getKey().startsWith("user/") && warm.contains(owner)) {
                if (!now.sha256().equals(e.getValue().sha256())) moved.add(owner);
            } else {
                assertEquals(e.getValue().sha256(), now.sha256(), e.getKey() + " must be kept");
                assertArrayEquals(e.getValue().bytes(), now.bytes(), e.getKey() + " must be kept byte for byte");
            }
        }
        assertEquals(warm, moved, "each changed user's adapter was retrained");

        // embeddings and groups of unchanged users are the parent's; the frozen models are the parent's files
        Map<String, Row> emb1 = byUser(first, RunLayout.USER_EMBEDDINGS), emb2 = byUser(second, RunLayout.USER_EMBEDDINGS);
        Map<String, Row> grp1 = byUser(first, RunLayout.USER_GROUPS), grp2 = byUser(second, RunLayout.USER_GROUPS);
        for (String u : emb1.keySet()) {
            if (changedNow.contains(u)) continue;
            assertEquals(emb1.get(u).getList(1), emb2.get(u).getList(1), "embedding of " + u);
            assertEquals(grp1.get(u).getInt(1), grp2.get(u).getInt(1), "group of " + u);
        }
        for (String artifact : List.of("base", "population", "merged", "experts")) {
            assertArrayEquals(Files.readAllBytes(artifact(first, artifact)), Files.readAllBytes(artifact(second, artifact)),
                    artifact);
        }

        // a user whose new items are all another planted group's moves away from its group: with drift-threshold 0
        // the next night re-clusters and retrains groups, router and every user (the population is kept)
        Map<String, Integer> planted = new TreeMap<>();
        for (Row r : spark.read().parquet(data.resolve("users").toString()).collectAsList()) {
            planted.put(r.getString(0), r.getInt(1));
        }
        String mover = withAdapter.stream().filter(u -> !warm.contains(u) && !u.equals(late)).findFirst().orElseThrow();
        String donor = trainRows.entrySet().stream().filter(e -> !planted.get(e.getKey()).equals(planted.get(mover)))
                .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        LocalDate night3 = NIGHT2.plusDays(1);
        copyProfile(data, donor, mover, night3.toString());
        RunContext third = night(config.with(Map.of("proper.incremental.drift-threshold", "0")), night3,
                List.of(StageName.INGEST, StageName.EMBED, StageName.CLUSTER));
        IncrementalPlan drifted = IncrementalPlan.load(third);
        assertEquals(NIGHT2.toString(), drifted.parentRunId());
        assertFalse(drifted.population().retrained(), drifted.toString());
        assertTrue(drifted.groups().retrained() && drifted.groups().reason().startsWith("drift"), drifted.toString());
        assertTrue(drifted.drift() > 0, drifted.toString());
        assertFalse(drifted.usersIncremental());
        assertTrue(drifted.usersReason().startsWith("groups retrained"), drifted.usersReason());
        assertEquals(40, spark.read().parquet(third.layout().tableUri(RunLayout.USER_GROUPS)).count());

        // a week after the groups were trained (night 1; night 2 reused them), the cadence makes the next night a
        // full refresh (decided from the parent's manifest alone)
        LocalDate week = NIGHT1.plusDays(7);
        IncrementalPlan plan = Planner.plan(RunContext.open(spark, config, week.toString(), week), true);
        assertEquals(NIGHT2.toString(), plan.parentRunId());
        assertTrue(plan.population().retrained() && plan.groups().retrained(), plan.toString());
        assertTrue(plan.population().reason().startsWith("cadence"), plan.population().reason());
        IncrementalPlan dayBefore = Planner.plan(RunContext.open(spark, config, "day6", week.minusDays(1)), true);
        assertTrue(dayBefore.usersIncremental(), dayBefore.toString());
    }

    /** Appends copies (new ids, the given date) of every profile item of donor's dev question to mover's questions. */
    private static void copyProfile(Path data, String donor, String mover, String date) throws IOException {
        List<ObjectNode> items = new ArrayList<>();
        editQuestions(data, List.of("dev_questions.jsonl"), q -> {
            if (q.get("user_id").asText().equals(donor)) q.get("profile").forEach(i -> items.add(i.deepCopy()));
            return false;
        });
        assertFalse(items.isEmpty(), "donor " + donor + " has profile items");
        int changed = editQuestions(data, List.of("dev_questions.jsonl", "test_questions.jsonl"), q -> {
            if (!q.get("user_id").asText().equals(mover)) return false;
            for (int k = 0; k < items.size(); k++) {
                ObjectNode item = items.get(k).deepCopy();
                item.put("id", mover + "-from-" + donor + "-" + k);
                item.put("date", date);
                ((ArrayNode) q.get("profile")).add(item);
            }
            return true;
        });
        assertEquals(2, changed, "the mover's dev and test questions");
    }

    /** Applies {@code edit} to every question of the given files (rewritten); returns how many it changed. */
    private static int editQuestions(Path data, List<String> dirs, java.util.function.Predicate<ObjectNode> edit)
            throws IOException {
        int changed = 0;
        for (String dir : dirs) {
            List<Path> parts;
            try (Stream<Path> files = Files.list(data.resolve(dir))) {
                parts = files.filter(f -> f.getFileName().toString().startsWith("part-")).toList();
            }
            for (Path part : parts) {
                List<String> out = new ArrayList<>();
                boolean any = false;
                for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
                    ObjectNode q = (ObjectNode) JSON.readTree(line);
                    if (edit.test(q)) {
                        changed++;
                        any = true;
                    }
                    out.add(JSON.writeValueAsString(q));
                }
                if (any) {
                    Files.write(part, out, StandardCharsets.UTF_8);
                    Files.deleteIfExists(part.resolveSibling("." + part.getFileName() + ".crc")); // stale checksum
                }
            }
        }
        return changed;
    }

    /** Appends a copy of each user's first profile item (new id, the given date) to its dev and test questions. */
    static void addProfileItems(Path data, Map<String, String> dateByUser) throws IOException {
        int rewritten = editQuestions(data, List.of("dev_questions.jsonl", "test_questions.jsonl"), q -> {
            String user = q.get("user_id").asText();
            if (!dateByUser.containsKey(user)) return false;
            ArrayNode profile = (ArrayNode) q.get("profile");
            ObjectNode item = profile.get(0).deepCopy();
            item.put("id", user + "-nightly-" + dateByUser.get(user));
            item.put("date", dateByUser.get(user));
            profile.add(item);
            return true;
        });
        assertEquals(2 * dateByUser.size(), rewritten, "each user's dev and test question got the item");
    }

    private record Tensor(String sha256, byte[] bytes) {}

    /** level/owner/module/tensor -> stored sha256 and bytes. */
    private static Map<String, Tensor> adapters(RunContext ctx) {
        Map<String, Tensor> out = new TreeMap<>();
        for (Row r : spark.read().parquet(ctx.layout().tableUri(RunLayout.ADAPTERS))
                .select("level", "owner_id", "module", "tensor", "sha256", "bytes").collectAsList()) {
            String key = r.getString(0) + "/" + r.getString(1) + "/" + r.getString(2) + "/" + r.getString(3);
            assertNull(out.put(key, new Tensor(r.getString(4), (byte[]) r.get(5))), "duplicate adapter tensor " + key);
        }
        return out;
    }

    private static Set<String> userOwners(RunContext ctx) {
        return spark.read().parquet(ctx.layout().tableUri(RunLayout.ADAPTERS)).filter(col("level").equalTo("user"))
                .select("owner_id").distinct().collectAsList().stream().map(r -> r.getString(0))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Map<String, Long> trainRowsPerUser(RunContext ctx) {
        Map<String, Long> out = new TreeMap<>();
        for (Row r : spark.read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS)).filter(col("split").equalTo("train"))
                .groupBy("user_id").count().collectAsList()) {
            out.put(r.getString(0), r.getLong(1));
        }
        return out;
    }

    private static Map<String, Row> byUser(RunContext ctx, String table) {
        Map<String, Row> out = new TreeMap<>();
        for (Row r : spark.read().parquet(ctx.layout().tableUri(table)).collectAsList()) out.put(r.getString(0), r);
        return out;
    }

    private static Path artifact(RunContext ctx, String name) {
        return Path.of(ctx.layout().root().toUri().getPath(), "model", name + ".bin");
    }

    private static Map<String, Object> manifest(RunContext ctx) {
        return ManifestWriter.read(ctx.layout(), ctx.hadoopConf());
    }

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> map, String... path) {
        Object node = map;
        for (String p : path) {
            assertNotNull(node, "missing " + String.join(".", path));
            node = ((Map<String, Object>) node).get(p);
        }
        return node;
    }
}
