package org.proper.data.synth;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.max;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;
import org.proper.data.ingest.Ingest;
import org.proper.data.ingest.IngestOptions;
import org.proper.data.ingest.IngestResult;

class SyntheticGeneratorTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("synthetic-generator");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sameSeedGivesIdenticalFilesAndAnotherSeedDoesNot(@TempDir Path tmp) throws IOException {
        SyntheticOptions o = SyntheticOptions.defaults(300, 7).withPartitions(2);
        SyntheticGenerator.generate(spark, o, tmp.resolve("a").toString());
        SyntheticGenerator.generate(spark, o, tmp.resolve("b").toString());
        SyntheticGenerator.generate(spark, SyntheticOptions.defaults(300, 8).withPartitions(2), tmp.resolve("c").toString());
        for (String out : List.of("dev_questions.jsonl", "dev_outputs.jsonl", "test_questions.jsonl", "test_outputs.jsonl")) {
            List<String> a = partContents(tmp.resolve("a").resolve(out));
            assertEquals(2, a.size(), out);
            assertEquals(a, partContents(tmp.resolve("b").resolve(out)), out);
            assertNotEquals(a, partContents(tmp.resolve("c").resolve(out)), out);
        }
    }

    @Test
    void taggingUsersHaveParetoHistoriesPlantedGroupsAndIngestCleanly(@TempDir Path tmp) {
        SyntheticOptions o = SyntheticOptions.defaults(2000, 42).withGroups(3).withHistory(1.1, 2, 300);
        String dir = tmp.resolve("synth").toString();
        SyntheticResult gen = SyntheticGenerator.generate(spark, o, dir);
        assertEquals(2000, gen.users());

        Dataset<Row> users = spark.read().parquet(dir + "/users");
        Row shape = users.agg(expr("percentile(history_length, 0.5)"), max("history_length"),
                expr("min(history_length)")).first();
        assertTrue(shape.getDouble(0) <= 5, "median history " + shape.getDouble(0) + " should be small");
        assertTrue(shape.getInt(1) >= 60, "max history " + shape.getInt(1) + " should be large");
        assertEquals(2, shape.getInt(2));

        IngestResult r = Ingest.run(spark, IngestOptions.lamp(dir, tmp.resolve("run").toString()));
        assertEquals("synthetic-tagging", r.mapping().task());
        assertEquals(0, r.quarantined());
        assertEquals(2000, r.users());
        assertEquals(2000, r.rows("dev"));
        assertEquals(2000, r.rows("test"));
        assertEquals(gen.profileItems(), r.rows("train"));

        // planted groups: each group's label distribution differs from every other group's
        Dataset<Row> train = spark.read().parquet(tmp.resolve("run/interactions").toString())
                .filter(col("split").equalTo("train")).join(users, "user_id");
        Map<Integer, Map<String, Double>> dist = new HashMap<>();
        for (Row row : train.groupBy("planted_group", "output").agg(count("*").as("n")).collectAsList()) {
            dist.computeIfAbsent(row.getInt(0), g -> new HashMap<>()).put(row.getString(1), (double) row.getLong(2));
        }
        dist.values().forEach(SyntheticGeneratorTest::normalise);
        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                double tv = totalVariation(dist.get(a), dist.get(b));
                assertTrue(tv > 0.25, "label distributions of groups " + a + " and " + b + " differ by TV " + tv);
            }
        }
    }

    @Test
    void ratingGroupsCarryTheirBiasAndGenerationGroupsTheirPhrasing(@TempDir Path tmp) {
        SyntheticOptions rating = SyntheticOptions.defaults(300, 3).withGroups(3).withTask(SyntheticTask.RATING);
        String dir = tmp.resolve("rating").toString();
        SyntheticGenerator.generate(spark, rating, dir);
        Dataset<Row> users = spark.read().parquet(dir + "/users");
        List<Row> means = spark.read().json(dir + "/dev_questions.jsonl")
                .selectExpr("user_id", "explode(profile) as p").selectExpr("user_id", "cast(p.score as int) as score")
                .join(users, "user_id").groupBy("planted_group").agg(avg("score")).orderBy("planted_group").collectAsList();
        assertEquals(3, means.size());
        assertTrue(means.get(0).getDouble(1) + 0.5 < means.get(2).getDouble(1), "group bias -1 vs +1: " + means);

        SyntheticOptions gen = SyntheticOptions.defaults(200, 3).withGroups(3).withTask(SyntheticTask.GENERATION);
        String gdir = tmp.resolve("generation").toString();
        SyntheticGenerator.generate(spark, gen, gdir);
        Dataset<Row> titles = spark.read().json(gdir + "/test_outputs.jsonl").withColumn("user_id", expr("substring(id, 1, 8)"))
                .join(spark.read().parquet(gdir + "/users"), "user_id");
        // group 2's style is "[keyword] verb": every title of group 2 and none of group 0 starts with '['
        assertEquals(0, titles.filter(col("planted_group").equalTo(2).and(expr("not startswith(output, '[')"))).count());
        assertEquals(0, titles.filter(col("planted_group").equalTo(0).and(expr("startswith(output, '[')"))).count());
        assertTrue(titles.filter(col("planted_group").equalTo(2)).count() > 30);
    }

    @Test
    void badOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyntheticOptions.defaults(0, 1))
                .getMessage().contains("'users'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyntheticOptions.defaults(10, 1).withHistory(1.2, 5, 4))
                .getMessage().contains("'maxHistory'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyntheticOptions.defaults(10, 1).withHistory(0, 1, 4))
                .getMessage().contains("'paretoAlpha'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyntheticTask.parse("poetry"))
                .getMessage().contains("'task'"));
    }

    static List<String> partContents(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                out.add(Files.readString(p));
            }
        }
        return out;
    }

    static void normalise(Map<String, Double> counts) {
        double total = counts.values().stream().mapToDouble(Double::doubleValue).sum();
        counts.replaceAll((k, v) -> v / total);
    }

    static double totalVariation(Map<String, Double> p, Map<String, Double> q) {
        java.util.Set<String> keys = new java.util.HashSet<>(p.keySet());
        keys.addAll(q.keySet());
        return 0.5 * keys.stream().mapToDouble(k -> Math.abs(p.getOrDefault(k, 0.0) - q.getOrDefault(k, 0.0))).sum();
    }
}
