package org.proper.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

/** Serving reads a run published to an hdfs:// warehouse (in-process MiniDFSCluster), without Spark. */
class HdfsAdapterStoreTest {
    @TempDir
    File base;

    @Test
    void publishedRunOnHdfsIsServedAndInspected() throws Exception {
        Configuration hconf = new Configuration();
        hconf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getAbsolutePath());
        hconf.setBoolean("dfs.namenode.http-address.enabled", false);
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(hconf).numDataNodes(1).format(true).build();
        try {
            hdfs.waitActive();
            String warehouse = "hdfs://localhost:" + hdfs.getNameNodePort() + "/wh";
            RunLayout layout = RunLayout.of(warehouse, "2026-11-25");
            SparkSession spark = SparkSession.builder().appName("HdfsAdapterStoreTest").master("local[2]")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4").getOrCreate();
            try {
                AdapterTableWriter writer = new AdapterTableWriter(spark, layout, AdapterWriteOptions.shards(2));
                writer.write(List.of(AdapterStoreTest.tensor("population", "population", "A", 1),
                        AdapterStoreTest.tensor("group", "0", "A", 2)), "model");
                writer.write(List.of(AdapterStoreTest.tensor("user", "alice", "A", 3)), "user");
                new ManifestWriter(layout, spark.sparkContext().hadoopConfiguration()).write(Map.of("counts", Map.of("users", 1)));
            } finally {
                spark.stop();
            }

            Configuration conf = new Configuration();
            AdapterStore store = AdapterStore.open(warehouse, "2026-11-25", conf);
            UserAdapters alice = store.forUser("alice");
            assertEquals(List.of(AdapterStoreTest.tensor("user", "alice", "A", 3)), alice.level("user"));
            assertEquals(1, alice.level("population").size());
            TensorRecord group = alice.level("group").get(0);
            assertEquals("0", group.ownerId());
            assertEquals(List.of(), store.forUser("bob").level("user"));
            String text = RunInspector.inspect(warehouse, "2026-11-25", conf);
            assertTrue(text.matches("(?s).*adapters\\s+3\\s+\\d+\\s+\\d+.*"), text);
        } finally {
            hdfs.shutdown();
        }
    }
}
