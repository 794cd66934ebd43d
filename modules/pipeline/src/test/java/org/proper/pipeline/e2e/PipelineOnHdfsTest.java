package org.proper.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.common.ProperConfig;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

/** The whole tiny pipeline with its input and warehouse on a real in-process HDFS (MiniDFSCluster). */
class PipelineOnHdfsTest {
    @TempDir
    static Path tmp;
    static MiniDFSCluster hdfs;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        conf.setBoolean("dfs.namenode.http-address.enabled", false);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        hdfs.waitActive();
        spark = TinyRuns.spark("local[2]");
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        if (hdfs != null) hdfs.shutdown();
    }

    @Test
    void theWholePipelineRunsAndPublishesOnHdfs() throws Exception {
        String root = "hdfs://localhost:" + hdfs.getNameNodePort();
        Path local = tmp.resolve("data");
        TinyRuns.generate(spark, local);
        FileSystem fs = hdfs.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(root + "/input"));
        ProperConfig config = TinyRuns.config(root + "/warehouse", root + "/input", Map.of());
        RunContext ctx = TinyRuns.run(spark, config, "on-hdfs", TinyRuns.all());

        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(root + "/warehouse/runs/on-hdfs/_manifest.json")));
        Map<String, Object> manifest = ManifestWriter.read(RunLayout.of(root + "/warehouse", "on-hdfs"), fs.getConf());
        assertEquals("on-hdfs", manifest.get("run_id"));
        long tensors = new AdapterTableReader(spark).verifyAll(ctx.layout().tableUri(RunLayout.ADAPTERS));
        assertTrue(tensors > 0);
        assertEquals(tensors, ((Number) ((Map<?, ?>) manifest.get("counts")).get("adapter_tensors")).longValue());
        assertEquals(40L, spark.read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).count());
    }
}
