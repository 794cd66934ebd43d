package org.proper.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
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
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.e2e.TinyRuns;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.pipeline.evaluate.TaskSpecs;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;

/**
 * The whole tiny pipeline with its input and warehouse on a real in-process HDFS (MiniDFSCluster), and the published
 * run served from there: serving opens the hdfs:// run without Spark and answers every evaluated query as the
 * evaluate stage did.
 */
class PublishAndServeOnHdfsTest {
    @TempDir
    static Path tmp;
    static MiniDFSCluster hdfs;
    static SparkSession spark;
    static String root;
    static RunContext run;

    @BeforeAll
    static void publishOnHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        conf.setBoolean("dfs.namenode.http-address.enabled", false);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        hdfs.waitActive();
        spark = TinyRuns.spark("local[2]");
        root = "hdfs://localhost:" + hdfs.getNameNodePort();
        Path local = tmp.resolve("data");
        TinyRuns.generate(spark, local);
        hdfs.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(root + "/input"));
        ProperConfig config = TinyRuns.config(root + "/warehouse", root + "/input", Map.of());
        run = TinyRuns.run(spark, config, "on-hdfs", TinyRuns.all());
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
        if (hdfs != null) hdfs.shutdown();
    }

    @Test
    void theWholePipelineRunsAndPublishesOnHdfs() throws Exception {
        FileSystem fs = hdfs.getFileSystem();
        assertTrue(fs.exists(new org.apache.hadoop.fs.Path(root + "/warehouse/runs/on-hdfs/_manifest.json")));
        Map<String, Object> manifest = ManifestWriter.read(RunLayout.of(root + "/warehouse", "on-hdfs"), fs.getConf());
        assertEquals("on-hdfs", manifest.get("run_id"));
        long tensors = new AdapterTableReader(spark).verifyAll(run.layout().tableUri(RunLayout.ADAPTERS));
        assertTrue(tensors > 0);
        assertEquals(tensors, ((Number) ((Map<?, ?>) manifest.get("counts")).get("adapter_tensors")).longValue());
        assertEquals(40L, spark.read().parquet(run.layout().tableUri(RunLayout.USER_EMBEDDINGS)).count());
    }

    @Test
    void theRunPublishedOnHdfsIsServedWithTheEvaluateStagesAnswers() {
        Map<String, Double> evaluated = EvaluatedRun.properAccuracyByUser(run);
        Map<String, List<String[]>> queries = EvaluatedRun.queriesByUser(run);
        assertEquals(evaluated.keySet(), queries.keySet(), "every evaluated user has queries");

        // a fresh Hadoop configuration: the hdfs:// URI alone finds the namenode, as on a serving host
        UserModels models = UserModels.open(AdapterStore.open(root + "/warehouse", "on-hdfs", new Configuration()));
        try {
            Predictor predictor = models.predictor();
            Map<UserModel.Served, Integer> kinds = new EnumMap<>(UserModel.Served.class);
            for (Map.Entry<String, List<String[]>> e : queries.entrySet()) {
                UserModel m = models.forUser(e.getKey());
                kinds.merge(m.served(), 1, Integer::sum);
                List<String> golds = new ArrayList<>(), predictions = new ArrayList<>();
                for (String[] q : e.getValue()) {
                    golds.add(q[1]);
                    predictions.add(m.answer(predictor, q[0]));
                }
                double accuracy = MetricAccumulator.evaluate(TaskSpecs.of(models.task()), golds, predictions).get(Metric.ACCURACY);
                assertEquals(evaluated.get(e.getKey()), accuracy, 1e-12, e.getKey() + " (" + m.served() + ")");
                m.release();
            }
            assertTrue(kinds.getOrDefault(UserModel.Served.USER_LORA, 0) > 0
                    && kinds.getOrDefault(UserModel.Served.KNOWN_VIA_ROUTER, 0) > 0, "both kinds of known user served: " + kinds);
        } finally {
            models.release();
        }
    }
}
