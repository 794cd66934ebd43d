package org.proper.pipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.PlantedUsers;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.io.AdapterShards;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorRecord;

/** The run layout, staged commits, adapters table, user_embeddings and manifest on an in-process HDFS. */
class HdfsWarehouseTest {
    @TempDir
    static File hdfsBase;

    private static MiniDFSCluster hdfs;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsBase.getAbsolutePath());
        conf.setBoolean("dfs.namenode.http-address.enabled", false);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        hdfs.waitActive();
        spark = LocalSpark.start("HdfsWarehouseTest");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void stagesAdaptersAndManifestRoundTripThroughAnHdfsWarehouse() {
        String warehouse = "hdfs://localhost:" + hdfs.getNameNodePort() + "/warehouse";
        RunLayout layout = RunLayout.of(warehouse, "2026-11-25");
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        assertEquals("hdfs", layout.fileSystem(conf).getScheme());
        StageMarkers markers = new StageMarkers(layout, conf);

        // embed stage: staged write, commit, marker
        Dataset<Row> interactions = PlantedUsers.interactions(spark, 2, 4, 3, 1, "answer", 3L);
        boolean ran = markers.runOnce("embed", () -> {
            StagedOutput out = StagedOutput.begin(layout, RunLayout.USER_EMBEDDINGS, conf);
            new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 4)).write(interactions, out.stagingUri());
            out.commit();
        });
        assertTrue(ran);
        assertTrue(markers.isComplete("embed"));
        assertEquals(9, spark.read().parquet(layout.tableUri(RunLayout.USER_EMBEDDINGS)).count());

        // adapters: population batch, then the user stage shard by shard with shard markers
        AdapterTableWriter writer = new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(2));
        List<TensorRecord> expected = new ArrayList<>();
        TensorRecord population = new TensorRecord("population", "population", "h.0.mlp.c_fc", "A", new int[] {2, 3},
                new float[] {1, 2, 3, 4, 5, 6});
        writer.write(List.of(population), "population");
        expected.add(population);
        for (int shard = 0; shard < 2; shard++) {
            List<TensorRecord> shardRecords = new ArrayList<>();
            for (int u = 0; u < 6; u++) {
                if (AdapterShards.shardOf("user" + u, 2) == shard) {
                    shardRecords.add(new TensorRecord("user", "user" + u, "h.0.mlp.c_fc", "B", new int[] {1, 2}, new float[] {u, -u}));
                }
            }
            writer.writeShard(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(shardRecords, 1), shard, "user");
            markers.markShardCommitted("train-users", shard);
            expected.addAll(shardRecords);
        }
        assertEquals(List.of(0, 1), List.copyOf(markers.committedShards("train-users")));
        AdapterTableReader reader = new AdapterTableReader(spark);
        List<TensorRecord> back = new ArrayList<>(reader.read(layout.tableUri(RunLayout.ADAPTERS)).collect());
        back.sort(Comparator.comparing(TensorRecord::key));
        expected.sort(Comparator.comparing(TensorRecord::key));
        assertEquals(expected, back);

        // publish: manifest last
        ManifestWriter manifest = new ManifestWriter(layout, conf);
        assertFalse(manifest.isPublished());
        manifest.write(Map.of("counts", Map.of("users", 9)));
        assertTrue(manifest.isPublished());
        assertEquals(warehouse, manifest.read().get("warehouse"));
        assertEquals(Map.of("users", 9), manifest.read().get("counts"));
    }
}
