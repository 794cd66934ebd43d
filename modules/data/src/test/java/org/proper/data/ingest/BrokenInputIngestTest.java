package org.proper.data.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;
import org.proper.data.schema.SchemaContract;
import org.proper.data.task.TaskMapping;
import org.proper.data.task.TaskMappings;

/** A LaMP directory of deliberately broken records: each lands in quarantine with its reason, nothing is lost. */
class BrokenInputIngestTest {

    static SparkSession spark;
    static final TaskMapping TAGS = TaskMappings.predefined("commit-component").orElseThrow();

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("broken-input-ingest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static String item(String id, String title, String tag) {
        return "{\"id\": \"" + id + "\", \"title\": \"" + title + "\", \"tag\": \"" + tag + "\", \"date\": \"2024-01-0"
                + (1 + Math.abs(id.hashCode()) % 9) + "\"}";
    }

    static String question(String id, String user, String input, String... profile) {
        return "{\"id\": \"" + id + "\", \"user_id\": \"" + user + "\", \"input\": \"" + input + "\", \"profile\": ["
                + String.join(", ", profile) + "]}";
    }

    static String prompt(String title) {
        return TAGS.render(Map.of("title", title));
    }

    static Path writeCorpus(Path dir) throws Exception {
        ByteArrayOutputStream dev = new ByteArrayOutputStream();
        dev.write(("[" + String.join(",\n", List.of(
                question("q1", "u1", prompt("fix the widget"), item("p1", "add a parser", "C++"),
                        item("p2", "speed up reads", "C++"), item("p3", "docs for reads", "Docs")),   // 0 good
                "{\"id\": \"q2\" \"input\": \"x\", \"profile\": []}",                               // 1 malformed_json
                "{\"id\": \"q3\", \"user_id\": \"u3\", \"profile\": []}",                           // 2 missing_field
                question("q4", "u4", ""),                                                          // 3 empty_field
                ""))).getBytes(StandardCharsets.UTF_8));
        // 4 invalid_utf8: a lone continuation byte inside the input string
        dev.write("{\"id\": \"q5\", \"user_id\": \"u5\", \"input\": \"bad ".getBytes(StandardCharsets.UTF_8));
        dev.write(new byte[] {(byte) 0x80, (byte) 0xC3});
        dev.write("\", \"profile\": []},\n".getBytes(StandardCharsets.UTF_8));
        dev.write(String.join(",\n", List.of(
                question("q6", "u6", prompt("no gold here"), item("p6", "a lonely commit", "Go")),    // 5 no_gold
                question("q1", "u1", prompt("fix the widget")),                                   // 6 duplicate_id
                question("q8", "u8", prompt("rust bindings"),                                     // 7 mixed profile
                        "{\"id\": \"m1\", \"title\": \"no tag\"}",                                        // missing_field
                        item("m2", "", "Go"),                                                             // empty_field
                        item("m3", "x".repeat(500), "Go"),                                                // text_too_long
                        item("m4", "bad label", "Cobol"),                                                 // invalid_value
                        item("a1", "good one", "Rust"),
                        item("a1", "good one again", "Rust"))                                             // duplicate_id
        )).getBytes(StandardCharsets.UTF_8));
        dev.write("]".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("dev_questions.json"), dev.toByteArray());
        Files.writeString(dir.resolve("dev_outputs.json"), "{\n\"task\": \"commit-component\",\n\"golds\": [\n"
                + "{\"id\": \"q1\", \"output\": \"C++\"},\n{\"id\": \"q8\", \"output\": \"Rust\"},\n"
                + "{\"id\": \"q404\", \"output\": \"Go\"},\n"        // orphan_gold
                + "{\"id\": \"q1\", \"output\": \"C++\"},\n"         // duplicate_id
                + "{\"id\": \"q9\", \"output\": \"\"}\n]\n}\n");  // empty_field

        Files.writeString(dir.resolve("test_questions.jsonl"), String.join("\n", List.of(
                question("t1", "u1", prompt("a later change"), item("p1", "add a parser", "C++"),  // merged
                        item("p2", "speed up reads", "Rust"),                                      // duplicate_id (conflict)
                        item("p3", "docs for reads", "Docs"),                                      // merged
                        item("p4", "new item", "Java"),                                            // train
                        item("p9", "fix the widget", "C++")),                                      // q1's own item: merged
                "this is not json",                                                               // malformed_json
                "",
                question("t2", "u2", prompt("go client"), item("b1", "go thing", "Go")))) + "\n");
        Files.writeString(dir.resolve("test_outputs.jsonl"), "{\"task\": \"commit-component\", \"id\": \"t1\", \"output\": \"C++\"}\n"
                + "{\"id\": \"t2\", \"output\": \"Go\"}\n{\"id\": \"t3\", \"output\": }\n");
        return dir;
    }

    @Test
    void everyBrokenRecordIsQuarantinedWithItsReasonAndNothingIsLost(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        writeCorpus(in);
        Path run = tmp.resolve("run");
        IngestResult r = Ingest.run(spark, IngestOptions.lamp(in.toString(), run.toString()).withMaxTextChars(400));

        assertEquals(31, r.candidates());                     // counted by hand from the corpus above
        assertEquals(r.candidates(), r.accepted() + r.quarantined() + r.merged());
        assertEquals(11, r.accepted());
        assertEquals(Map.of("train", 7L, "dev", 2L, "test", 2L), r.rowsBySplit());
        assertEquals(3, r.merged());
        assertEquals(Map.of("malformed_json", 3L, "missing_field", 2L, "empty_field", 3L, "invalid_utf8", 1L,
                "no_gold", 1L, "duplicate_id", 4L, "text_too_long", 1L, "invalid_value", 1L, "orphan_gold", 1L),
                r.quarantinedByReason());

        Dataset<Row> q = spark.read().parquet(run.resolve("quarantine").toString());
        Map<String, String> reasonAt = q.collectAsList().stream().collect(Collectors.toMap(
                row -> fileName(row.getString(0)) + "#" + row.getLong(1) + "#" + row.getString(2),
                row -> row.isNullAt(3) ? "" : row.getString(3), (a, b) -> a + " | " + b));
        assertTrue(reasonAt.containsKey("dev_questions.json#1#malformed_json"), reasonAt.toString());
        assertTrue(reasonAt.containsKey("dev_questions.json#4#invalid_utf8"), reasonAt.toString());
        assertTrue(reasonAt.containsKey("dev_questions.json#5#no_gold"), reasonAt.toString());
        assertTrue(reasonAt.get("dev_questions.json#7#missing_field").contains("profile[0]: field 'tag' is missing"));
        assertTrue(reasonAt.get("dev_questions.json#7#text_too_long").contains("maxTextChars=400"));
        assertTrue(reasonAt.get("dev_questions.json#7#invalid_value").contains("'Cobol'"));
        assertTrue(reasonAt.containsKey("test_questions.jsonl#1#malformed_json"), reasonAt.toString());
        assertTrue(reasonAt.containsKey("test_outputs.jsonl#2#malformed_json"), reasonAt.toString());
        assertTrue(reasonAt.containsKey("dev_outputs.json#2#orphan_gold"), reasonAt.toString());
        assertTrue(reasonAt.get("test_questions.jsonl#0#duplicate_id").contains("differs from its copy"));
        assertTrue(q.filter(col("raw").isNull()).count() == 0, "every quarantined record keeps its raw text");

        Dataset<Row> interactions = spark.read().parquet(run.resolve("interactions").toString());
        List<String> u1Train = interactions.filter(col("user_id").equalTo("u1").and(col("split").equalTo("train")))
                .orderBy("item_id").select("item_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(List.of("p1", "p2", "p3", "p4"), u1Train);
        Row dev = interactions.filter(col("item_id").equalTo("q1")).first();
        assertEquals("C++", dev.getAs("output"));
        assertEquals("dev", dev.getAs("split"));
        assertEquals(prompt("fix the widget"), dev.getAs("input"));
        SchemaContract.checkParquet(spark, "interactions", run.resolve("interactions").toString());
        SchemaContract.checkParquet(spark, "quarantine", run.resolve("quarantine").toString());
    }

    @Test
    void missingInputPathFailsFastNamingIt(@TempDir Path tmp) {
        String missing = tmp.resolve("nope").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ingest.run(spark, IngestOptions.lamp(missing, tmp.resolve("run").toString())));
        assertTrue(e.getMessage().contains(missing) && e.getMessage().contains("'input'"), e.getMessage());
    }

    @Test
    void directoryWithoutQuestionsFailsFastNamingIt(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Ingest.run(spark, IngestOptions.lamp(tmp.toString(), tmp.resolve("run").toString())));
        assertTrue(e.getMessage().contains("dev_questions.json"), e.getMessage());
    }

    @Test
    void badOptionsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new IngestOptions("in", InputFormat.LAMP, "run",
                null, null, 0, 10)).getMessage().contains("'maxTextChars'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new IngestOptions("in", InputFormat.CSV, "run",
                null, null, 10, 10)).getMessage().contains("'task'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new IngestOptions(" ", InputFormat.CSV, "run",
                "t", null, 10, 10)).getMessage().contains("'input'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> InputFormat.parse("xml")).getMessage().contains("'format'"));
    }

    static String fileName(String uri) {
        return uri.substring(uri.lastIndexOf('/') + 1);
    }
}
