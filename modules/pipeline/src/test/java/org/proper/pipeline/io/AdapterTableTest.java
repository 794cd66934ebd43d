package org.proper.pipeline.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hash;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.data.schema.SchemaContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.run.LocalSpark;
import org.proper.pipeline.run.RunLayout;

class AdapterTableTest {
    private static SparkSession spark;

    @TempDir
    File warehouse;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("AdapterTableTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static TensorRecord tensor(String level, String owner, String name, int rows, int cols, float base) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = base + i * 0.25f;
        }
        return new TensorRecord(level, owner, "h.0.mlp.c_fc", name, new int[] {rows, cols}, data);
    }

    static List<TensorRecord> users(int n) {
        List<TensorRecord> out = new ArrayList<>();
        for (int u = 0; u < n; u++) {
            out.add(tensor("user", "u" + u, "A", 2, 3, u));
            out.add(tensor("user", "u" + u, "B", 3, 2, -u));
        }
        return out;
    }

    private JavaRDD<TensorRecord> rdd(List<TensorRecord> records) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(records, 2);
    }

    private static List<TensorRecord> sorted(List<TensorRecord> records) {
        List<TensorRecord> copy = new ArrayList<>(records);
        copy.sort(Comparator.comparing(TensorRecord::key));
        return copy;
    }

    @Test
    void shardFunctionEqualsSparkSqlPmodHash() {
        List<String> owners = List.of("population", "0", "7", "router", "u1", "user-ünïcode-42", "");
        List<Row> rows = spark.createDataset(owners, Encoders.STRING()).toDF("owner_id")
                .select(col("owner_id"), pmod(hash(col("owner_id")), lit(16)).as("shard")).collectAsList();
        for (Row r : rows) {
            assertEquals(r.getInt(1), AdapterShards.shardOf(r.getString(0), 16), "owner " + r.getString(0));
        }
    }

    @Test
    void writtenTensorsReadBackIdenticalInTheirOwnersShards() {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(4));
        List<TensorRecord> models = List.of(tensor("population", "population", "A", 4, 8, 1f),
                tensor("group", "0", "A", 2, 8, 2f), tensor("group", "1", "A", 2, 8, 3f),
                tensor("router", "router", "centroids", 2, 5, 4f));
        writer.write(models, "model");
        List<TensorRecord> userRecords = users(10);
        writer.write(rdd(userRecords), "user");

        SchemaContract.check("adapters", AdapterTableSchema.SCHEMA);
        AdapterTableReader reader = new AdapterTableReader(spark);
        List<TensorRecord> all = new ArrayList<>(models);
        all.addAll(userRecords);
        assertEquals(sorted(all), sorted(reader.read(layout.tableUri(RunLayout.ADAPTERS)).collect()));
        for (Row r : reader.rows(layout.tableUri(RunLayout.ADAPTERS)).collectAsList()) {
            assertEquals(AdapterShards.shardOf(r.getString(1), 4), r.getInt(8), "shard of " + r.getString(1));
            assertEquals("float32", r.getString(5));
        }
        assertEquals(sorted(List.of(models.get(1), models.get(2))),
                sorted(reader.readLevel(layout.tableUri(RunLayout.ADAPTERS), "group").collect()));
    }

    @Test
    void rewritingAShardReplacesItWithoutDuplicatesOrTouchingOtherShards() {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(3));
        writer.write(List.of(tensor("population", "population", "A", 2, 2, 0f)), "population");
        Map<Integer, List<TensorRecord>> byShard = users(12).stream()
                .collect(Collectors.groupingBy(r -> AdapterShards.shardOf(r.ownerId(), 3)));
        for (Map.Entry<Integer, List<TensorRecord>> e : byShard.entrySet()) {
            writer.writeShard(rdd(e.getValue()), e.getKey(), "user");
        }
        // an interrupted run resumes: shard 1 is written again
        writer.writeShard(rdd(byShard.get(1)), 1, "user");

        AdapterTableReader reader = new AdapterTableReader(spark);
        assertEquals(24 + 1, reader.verifyAll(layout.tableUri(RunLayout.ADAPTERS)));
        assertEquals(byShard.get(1).size(),
                reader.rows(layout.tableUri(RunLayout.ADAPTERS)).where("level = 'user' and shard = 1").count());
    }

    @Test
    void writingARecordToTheWrongShardFails() {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(3));
        TensorRecord r = tensor("user", "u1", "A", 1, 1, 0f);
        int wrong = (AdapterShards.shardOf("u1", 3) + 1) % 3;
        Exception e = assertThrows(Exception.class, () -> writer.writeShard(rdd(List.of(r)), wrong, "user"));
        assertTrue(rootMessages(e).contains("its owner hashes to shard"), rootMessages(e));
    }

    @Test
    void reopeningWithADifferentShardCountFails() {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(3)).write(users(1), "user");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(5)).write(users(1), "user"));
        assertTrue(e.getMessage().contains("adapters.shards is 5"), e.getMessage());
    }

    @Test
    void corruptedTensorByteFailsNamingTheFile() throws Exception {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, new AdapterWriteOptions(2, "none"));
        float[] marker = new float[16];
        java.util.Arrays.fill(marker, 1234.5f);
        writer.write(List.of(new TensorRecord("user", "victim", "h.0.mlp.c_fc", "A", new int[] {4, 4}, marker)), "user");

        File shardDir = new File(layout.table(RunLayout.ADAPTERS).toUri().getPath(), AdapterShards.directoryName(AdapterShards.shardOf("victim", 2)));
        File parquet = Files.list(shardDir.toPath()).map(java.nio.file.Path::toFile)
                .filter(f -> f.getName().endsWith(".parquet")).findFirst().orElseThrow();
        byte[] bytes = Files.readAllBytes(parquet.toPath());
        byte[] pattern = TensorBytes.encode(marker);
        int at = indexOf(bytes, pattern);
        assertTrue(at >= 0, "uncompressed tensor bytes are in the file");
        bytes[at + 5] ^= 0x01;
        Files.write(parquet.toPath(), bytes);
        // drop the local file system's own checksum so the damage reaches our sha256 check
        new File(parquet.getParentFile(), "." + parquet.getName() + ".crc").delete();

        Exception e = assertThrows(Exception.class,
                () -> new AdapterTableReader(spark).verifyAll(layout.tableUri(RunLayout.ADAPTERS)));
        String messages = rootMessages(e);
        assertTrue(messages.contains("Corrupt adapter tensor in") && messages.contains(parquet.getName()), messages);
    }

    @Test
    void recordsRejectShapeThatDoesNotMatchData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TensorRecord("user", "u", "m", "A", new int[] {2, 2}, new float[3]));
        assertTrue(e.getMessage().contains("[2, 2] holds 4 values but data has 3"), e.getMessage());
        assertArrayEquals(new float[] {1.5f, -2f}, TensorBytes.decode(TensorBytes.encode(new float[] {1.5f, -2f})));
    }

    static String rootMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
