package org.proper.data.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;
import org.proper.data.task.TaskKind;

/** Interaction logs (JSONL, CSV, Parquet) mapped to the same interactions table, bad rows quarantined. */
class LogIngestTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("log-ingest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static String line(String user, String item, String input, String output, long ts, String split) {
        return "{\"user_id\": \"" + user + "\", \"item_id\": \"" + item + "\", \"input\": \"" + input
                + "\", \"output\": \"" + output + "\", \"timestamp\": " + ts + (split == null ? "" : ", \"split\": \"" + split + "\"") + "}";
    }

    @Test
    void jsonLinesGetTimeSplitsTemplatesAndQuarantine(@TempDir Path tmp) throws Exception {
        Path logs = tmp.resolve("logs.jsonl");
        Files.writeString(logs, String.join("\n", List.of(
                line("u1", "i1", "article one", "headline one", 1_000, null),
                line("u1", "i2", "article two", "headline two", 2_000, null),
                line("u1", "i3", "article three", "headline three", 3_000, null),
                line("u1", "i4", "article four", "headline four", 4_000, null),
                line("u2", "j1", "article a", "headline a", 1_000, "train"),
                line("u2", "j2", "article b", "headline b", 2_000, "test"),
                line("u1", "i1", "article one", "headline one", 1_000, null),           // 6 duplicate_id
                "{\"user_id\": \"u3\", \"item_id\": \"k1\", \"input\": \"x\"}",          // 7 missing_field
                line("u3", "k2", "article c", "headline c", 1_000, "holdout"),          // 8 invalid_value
                "{\"user_id\": ")) + "\n");                                              // 9 malformed_json
        IngestResult r = Ingest.run(spark, new IngestOptions(logs.toString(), InputFormat.JSONL,
                tmp.resolve("run").toString(), "LaMP_4", null, 1000, 100));
        assertEquals(10, r.candidates());
        assertEquals(Map.of("train", 3L, "dev", 1L, "test", 2L), r.rowsBySplit());
        assertEquals(Map.of("duplicate_id", 1L, "missing_field", 1L, "invalid_value", 1L, "malformed_json", 1L),
                r.quarantinedByReason());
        Dataset<Row> rows = spark.read().parquet(tmp.resolve("run/interactions").toString());
        Row latest = rows.filter(col("item_id").equalTo("i4")).first();
        assertEquals("test", latest.getAs("split"));
        assertEquals("Generate a headline for the following article: article four", latest.getAs("input"));
        assertEquals(4_000_000L, (long) latest.getAs("timestamp")); // epoch seconds → millis
        assertEquals("dev", rows.filter(col("item_id").equalTo("i3")).first().getAs("split"));
    }

    @Test
    void aCutoffLeavesOutLaterRowsBeforeTheTimeSplit(@TempDir Path tmp) throws Exception {
        Path logs = tmp.resolve("logs.jsonl");
        Files.writeString(logs, String.join("\n", List.of(
                line("u1", "i1", "article one", "headline one", 1_000, null),
                line("u1", "i2", "article two", "headline two", 2_000, null),
                line("u1", "i3", "article three", "headline three", 3_000, null),
                line("u1", "i4", "article four", "headline four", 4_000, null),       // after the cutoff
                line("u2", "j1", "article a", "headline a", 5_000, "train"),          // after the cutoff
                "{\"user_id\": \"u2\", \"item_id\": \"j2\", \"input\": \"article b\", \"output\": \"headline b\", \"split\": \"train\"}"))
                + "\n");
        IngestResult r = Ingest.run(spark, new IngestOptions(logs.toString(), InputFormat.JSONL,
                tmp.resolve("run").toString(), "LaMP_4", null, 1000, 100).withCutoff(3_500_000L));
        assertEquals(6, r.candidates());
        assertEquals(2, r.afterCutoff());
        assertEquals(4, r.accepted());
        Dataset<Row> rows = spark.read().parquet(tmp.resolve("run/interactions").toString());
        assertEquals(0, rows.filter(col("item_id").isin("i4", "j1")).count());
        assertEquals("test", rows.filter(col("item_id").equalTo("i3")).first().getAs("split"), "latest row up to the cutoff");
        assertEquals(1, rows.filter(col("item_id").equalTo("j2")).count(), "a row without timestamp is kept");
    }

    @Test
    void csvWithQuotedNewlinesAndBrokenRows(@TempDir Path tmp) throws Exception {
        Path csv = tmp.resolve("ratings.csv");
        Files.writeString(csv, "user_id,item_id,input,output,split\n"
                + "u1,p1,\"a lamp, bright\nand cheap\",4,train\n"   // record 1: quoted comma and newline
                + "u1,p2,a chair,2,test\n"
                + "u2,p3,a tent,5\n"                              // record 3: malformed_csv (4 cells)
                + "u2,p4,,3,train\n"                              // record 4: empty_field
                + "u2,p5,a kettle,6,train\n");                    // record 5: invalid_value (rating 6)
        IngestResult r = Ingest.run(spark, new IngestOptions(csv.toString(), InputFormat.CSV,
                tmp.resolve("run").toString(), "LaMP_3", null, 1000, 100));
        assertEquals(2, r.accepted());
        assertEquals(Map.of("malformed_csv", 1L, "empty_field", 1L, "invalid_value", 1L), r.quarantinedByReason());
        Row first = spark.read().parquet(tmp.resolve("run/interactions").toString()).filter(col("item_id").equalTo("p1")).first();
        assertTrue(((String) first.getAs("input")).endsWith("review: a lamp, bright\nand cheap"));
        assertEquals(1L, (long) first.getAs("position"));
        List<Long> positions = spark.read().parquet(tmp.resolve("run/quarantine").toString()).orderBy("position")
                .select("position").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
        assertEquals(List.of(3L, 4L, 5L), positions);
    }

    @Test
    void parquetOfAnUnknownTaskGetsAnInferredMapping(@TempDir Path tmp) {
        StructType schema = new StructType().add("user_id", DataTypes.StringType).add("item_id", DataTypes.StringType)
                .add("input", DataTypes.StringType).add("output", DataTypes.StringType).add("timestamp", DataTypes.LongType);
        List<Row> rows = new ArrayList<>();
        String[] queues = {"billing", "outage", "login"};
        for (int i = 0; i < 40; i++) {
            rows.add(RowFactory.create("u" + (i % 4), "t" + i, "ticket text number " + i + " about " + queues[i % 3],
                    queues[i % 3], 1_700_000_000_000L + i));
        }
        rows.add(RowFactory.create("u9", "t99", "ticket without answer", null, 1L)); // row 40: missing_field
        String path = tmp.resolve("tickets.parquet").toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
        IngestResult r = Ingest.run(spark, new IngestOptions(path, InputFormat.PARQUET, tmp.resolve("run").toString(),
                "ticket-queue", null, 1000, 100));
        assertEquals(TaskKind.CLASSIFICATION, r.mapping().kind());
        assertEquals(List.of("billing", "login", "outage"), r.mapping().labels());
        assertEquals(40, r.accepted());
        assertEquals(Map.of("missing_field", 1L), r.quarantinedByReason());
        Row bad = spark.read().parquet(tmp.resolve("run/quarantine").toString()).first();
        assertEquals(40L, bad.getLong(1));
        // 10 rows per user, no split column: latest test, one dev, rest train
        assertEquals(Map.of("train", 32L, "dev", 4L, "test", 4L), r.rowsBySplit());
    }
}
