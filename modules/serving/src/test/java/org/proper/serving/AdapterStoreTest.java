package org.proper.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.cluster.UserClusterer;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.io.AdapterShards;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorBytes;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

/** A run written with the pipeline's writers (Spark), read back by serving without Spark. */
class AdapterStoreTest {
    private static final int SHARDS = 3;
    private static final Configuration CONF = new Configuration();

    @TempDir
    static File warehouse;

    @BeforeAll
    static void writeRun() {
        SparkSession spark = SparkSession.builder().appName("AdapterStoreTest").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4").getOrCreate();
        try {
            writeRun(spark, "r1", true, "snappy");
            writeRun(spark, "unpublished", false, "snappy");
            writeRun(spark, "plain", true, "none");
        } finally {
            spark.stop();
        }
    }

    @AfterAll
    static void noop() {}

    static TensorRecord tensor(String level, String owner, String name, float value) {
        return new TensorRecord(level, owner, "h.0.mlp.c_fc", name, new int[] {2, 2}, new float[] {value, value + 1, value + 2, value + 3});
    }

    private static void writeRun(SparkSession spark, String runId, boolean publish, String compression) {
        RunLayout layout = RunLayout.of(warehouse.getPath(), runId);
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, new AdapterWriteOptions(SHARDS, compression));
        writer.write(List.of(tensor("population", "population", "A", 1), tensor("population", "population", "B", 2),
                tensor("group", "0", "A", 3), tensor("group", "1", "A", 4),
                tensor("router", "router", "centroids", 5)), "model");
        List<TensorRecord> users = new ArrayList<>();
        for (int u = 0; u < 9; u++) {
            users.add(tensor("user", "u" + u, "A", 10 * u));
            users.add(tensor("user", "u" + u, "B", 10 * u + 1));
        }
        writer.write(users, "user");
        List<Row> embeddings = new ArrayList<>();
        List<Row> groups = new ArrayList<>();
        for (int u = 0; u < 10; u++) { // u9 has an embedding and a group but no user adapter (too little history)
            embeddings.add(RowFactory.create("u" + u, new float[] {0.6f, 0.8f}, "tfidf-pca"));
            groups.add(RowFactory.create("u" + u, u % 2, new double[] {u % 2 == 0 ? 0.9 : 0.1, u % 2 == 0 ? 0.1 : 0.9}, "kmeans"));
        }
        spark.createDataFrame(embeddings, UserEmbedder.SCHEMA).write().parquet(layout.tableUri(RunLayout.USER_EMBEDDINGS));
        spark.createDataFrame(groups, UserClusterer.SCHEMA).write().parquet(layout.tableUri(RunLayout.USER_GROUPS));
        if (publish) {
            new ManifestWriter(layout, CONF).write(Map.of("counts", Map.of("users", 10)));
        }
    }

    @Test
    void knownUserGetsAllFourLevelsGroupProbabilitiesAndEmbedding() {
        AdapterStore store = AdapterStore.open(warehouse.getPath(), "r1", CONF);
        UserAdapters u3 = store.forUser("u3");
        assertTrue(u3.isKnown() && u3.hasUserAdapter());
        assertEquals(2, u3.level("population").size());
        assertEquals(2, u3.level("group").size());
        assertEquals(1, u3.level("router").size());
        assertEquals(2, u3.level("user").size());
        TensorRecord a = u3.level("user").stream().filter(r -> r.tensor().equals("A")).findFirst().orElseThrow();
        assertEquals(tensor("user", "u3", "A", 30), a);
        assertArrayEquals(new double[] {0.1, 0.9}, u3.groupProbabilities(), 0);
        assertEquals(1, u3.groupId());
        assertArrayEquals(new float[] {0.6f, 0.8f}, u3.embedding(), 0);
        assertEquals("r1", store.manifest().get("run_id"));
    }

    @Test
    void userWithoutUserAdapterAndUnknownUserGetTheColdStartSet() {
        AdapterStore store = AdapterStore.open(warehouse.getPath(), "r1", CONF);
        UserAdapters sparse = store.forUser("u9");
        assertTrue(sparse.isKnown());
        assertFalse(sparse.hasUserAdapter());
        assertArrayEquals(new double[] {0.1, 0.9}, sparse.groupProbabilities(), 0);

        UserAdapters stranger = store.forUser("never-seen");
        assertFalse(stranger.isKnown());
        assertEquals(List.of(), stranger.level("user"));
        assertEquals(2, stranger.level("population").size());
        assertEquals(2, stranger.level("group").size());
        assertNull(stranger.embedding());
        assertNull(stranger.groupProbabilities());
        assertEquals(-1, stranger.groupId());
    }

    @Test
    void unpublishedRunIsRefusedNamingTheRun() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AdapterStore.open(warehouse.getPath(), "unpublished", CONF));
        assertTrue(e.getMessage().contains("Cannot read run unpublished: it is not published"), e.getMessage());
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> AdapterStore.open(warehouse.getPath(), "nosuchrun", CONF));
        assertTrue(missing.getMessage().contains("nosuchrun"), missing.getMessage());
    }

    @Test
    void inspectorPrintsManifestRowCountsAndSizes() {
        String text = RunInspector.inspect(warehouse.getPath(), "r1", CONF);
        assertTrue(text.contains("\"run_id\" : \"r1\""), text);
        assertTrue(text.matches("(?s).*adapters\\s+23\\s+\\d+\\s+\\d+.*"), text);
        assertTrue(text.matches("(?s).*user_embeddings\\s+10\\s+\\d+\\s+\\d+.*"), text);
        assertTrue(text.matches("(?s).*user_groups\\s+10\\s+\\d+\\s+\\d+.*"), text);
    }

    @Test
    void corruptedUserTensorFailsNamingTheFile() throws Exception {
        // run "plain" is written uncompressed, so the tensor's bytes are in the file verbatim: flip every copy
        File shardDir = new File(warehouse, "runs/plain/adapters/" + AdapterShards.directoryName(AdapterShards.shardOf("u4", SHARDS)));
        byte[] needle = TensorBytes.encode(tensor("user", "u4", "A", 40).data());
        File corrupted = null;
        for (File f : shardDir.listFiles((d, n) -> n.endsWith(".parquet"))) {
            byte[] bytes = Files.readAllBytes(f.toPath());
            for (int at = indexOf(bytes, needle, 0); at >= 0; at = indexOf(bytes, needle, at + 1)) {
                bytes[at + 1] ^= 0x10;
                corrupted = f;
            }
            Files.write(f.toPath(), bytes);
            new File(f.getParentFile(), "." + f.getName() + ".crc").delete();
        }
        assertTrue(corrupted != null, "tensor bytes found in an uncompressed shard file");
        AdapterStore store = AdapterStore.open(warehouse.getPath(), "plain", CONF);
        assertEquals(2, store.forUser("u3").level("user").size(), "other users' tensors still read");
        Exception e = assertThrows(RuntimeException.class, () -> store.forUser("u4"));
        assertTrue(e.getMessage().contains("Corrupt adapter tensor in") && e.getMessage().contains(corrupted.getName()), e.getMessage());
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= haystack.length; i++) {
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
