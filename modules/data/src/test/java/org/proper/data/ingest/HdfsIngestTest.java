package org.proper.data.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
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
import org.proper.data.LocalSpark;
import org.proper.data.schema.SchemaContract;

/** Ingest reads its input from and writes its run to an in-process HDFS, with the same outcome as on local disk. */
class HdfsIngestTest {

    @TempDir
    static File hdfsBase;

    static MiniDFSCluster hdfs;
    static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, hdfsBase.getAbsolutePath());
        conf.setBoolean("dfs.namenode.http-address.enabled", false);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        hdfs.waitActive();
        spark = LocalSpark.start("hdfs-ingest");
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
    void brokenCorpusOnHdfsGivesTheSameCountsAsOnLocalDisk(@TempDir Path tmp) throws Exception {
        Path local = BrokenInputIngestTest.writeCorpus(Files.createDirectories(tmp.resolve("in")));
        FileSystem fs = hdfs.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path("/lamp"));
        String root = "hdfs://localhost:" + hdfs.getNameNodePort();

        IngestResult r = Ingest.run(spark, IngestOptions.lamp(root + "/lamp", root + "/runs/r1").withMaxTextChars(400));

        assertEquals(31, r.candidates());
        assertEquals(Map.of("train", 7L, "dev", 2L, "test", 2L), r.rowsBySplit());
        assertEquals(17, r.quarantined());
        assertEquals(3, r.merged());
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/runs/r1/interactions/_SUCCESS")));
        SchemaContract.checkParquet(spark, "interactions", root + "/runs/r1/interactions");
        SchemaContract.checkParquet(spark, "quarantine", root + "/runs/r1/quarantine");
        String source = spark.read().parquet(root + "/runs/r1/quarantine").first().getString(0);
        assertTrue(source.startsWith("hdfs://"), source);
    }
}
