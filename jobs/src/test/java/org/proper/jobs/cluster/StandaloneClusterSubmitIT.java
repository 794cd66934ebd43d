package org.proper.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.proper.jobs.cluster.LocalStandaloneCluster.Submission;
import org.proper.jobs.smoke.ClusterSmoke;

/**
 * Submits the shaded spark-submit jar with {@code org.apache.spark.deploy.SparkSubmit} to a real standalone cluster
 * (Master, Worker and executors in their own JVMs on loopback). Runs in the integration-test phase (failsafe), after
 * `package` built target/proper-jobs-*-spark.jar.
 */
class StandaloneClusterSubmitIT {
  private static final int TASKS = 4;
  private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(150);

  /** Cluster logs, executor work dirs and outputs; kept after the run (target/cluster-it) for diagnosis. */
  private static Path work;

  private static LocalStandaloneCluster cluster;
  private static Path shadedJar;
  private static ExecutorService submissions;
  private static Future<Submission> succeeding;
  private static Future<Submission> failing;
  private static Future<Submission> pipeline;
  private static boolean pipelineInJar;

  private static final String PROPER_CLI = "org.proper.jobs.cli.ProperCli";
  private static final Path DEMO_CONF = Path.of("..", "conf", "demo.conf").toAbsolutePath().normalize();
  private static final Duration PIPELINE_TIMEOUT = Duration.ofSeconds(300);
  private static final String RUN_ID = "cluster-it";

  @BeforeAll
  static void startCluster() throws IOException, InterruptedException {
    shadedJar = Path.of(System.getProperty("proper.shaded.jar", "target/proper-jobs-0.1.0-SNAPSHOT-spark.jar"));
    assumeTrue(Files.isRegularFile(shadedJar),
        "Skipping the standalone-cluster test: shaded jar " + shadedJar + " is absent (run `mvn verify -pl jobs`)");
    Path classpathFile = Path.of(System.getProperty("proper.spark.classpath.file",
        "target/spark-distribution.classpath"));
    assumeTrue(Files.isRegularFile(classpathFile),
        "Skipping the standalone-cluster test: " + classpathFile + " (Spark distribution jars) is absent");
    work = freshDirectory(Path.of(System.getProperty("proper.cluster.work.dir", "target/cluster-it")));
    SparkDistribution spark = SparkDistribution.create(classpathFile, work.resolve("spark-home"));
    pipelineInJar = containsEntry(shadedJar, PROPER_CLI.replace('.', '/') + ".class") && Files.isRegularFile(DEMO_CONF);
    cluster = LocalStandaloneCluster.start(spark, JavaProcess.sparkJvmFlags(), work, pipelineInJar ? 3 : 2, pipelineInJar ? "3g" : "2g");
    // The applications share the cluster (one core and one executor each), as nightly stages from different DAG
    // runs may: submitting them together halves the wall time on a small machine.
    submissions = Executors.newFixedThreadPool(3);
    succeeding = submitAsync("smoke-ok", false);
    failing = submitAsync("smoke-fail", true);
    if (pipelineInJar) {
      pipeline = submissions.submit(() -> cluster.submit("pipeline", pipelineArgs(work.resolve("pipeline")), "1g",
          PIPELINE_TIMEOUT));
    }
  }

  private static Future<Submission> submitAsync(String name, boolean fail) {
    Path output = work.resolve(name);
    return submissions.submit(() -> cluster.submit(name, submitArgs(output, fail), SUBMIT_TIMEOUT));
  }

  @AfterAll
  static void stopCluster() {
    if (submissions != null) {
      submissions.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 200, unit = TimeUnit.SECONDS)
  void submittedJarRunsNd4jOnExecutorJvmsAndWritesParquet() throws Exception {
    Path output = work.resolve("smoke-ok");

    Submission submission = succeeding.get(SUBMIT_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);

    assertEquals(0, submission.exitCode(), "spark-submit failed; driver log " + submission.logFile() + ":\n"
        + tail(submission.driverLog()));
    assertTrue(submission.driverLog().contains("ClusterSmoke OK: " + TASKS + " task results"),
        "driver did not report the job's result");
    assertTrue(Files.exists(output.resolve("_SUCCESS")), "no _SUCCESS marker in " + output);
    try (Stream<Path> files = Files.list(output)) {
      assertEquals(TASKS, files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
    }
    List<Group> rows = readParquet(output);
    assertEquals(TASKS, rows.size());
    assertEquals(Set.of(0, 1, 2, 3), rows.stream().map(r -> r.getInteger("partition", 0)).collect(Collectors.toSet()));
    long testPid = ProcessHandle.current().pid();
    for (Group row : rows) {
      long pid = row.getLong("pid", 0);
      assertNotEquals("driver", row.getString("executor_id", 0), "a task ran in the driver");
      assertNotEquals(submission.driverPid(), pid, "a task ran in the driver JVM");
      assertNotEquals(testPid, pid);
      assertEquals("CpuBackend", row.getString("nd4j_backend", 0));
      assertEquals(0, row.getFieldRepetitionCount("gpu_device"), "GpuBinding must be a no-op on CPU executors");
      double product = row.getDouble("product_sum", 0);
      double expected = row.getDouble("expected_sum", 0);
      assertTrue(expected > 0);
      assertEquals(expected, product, 1e-9 * expected, "ND4J's matmul disagrees with plain Java");
    }
    try (Stream<Path> executorLogs = Files.walk(cluster.workerDir())) {
      assertTrue(executorLogs.anyMatch(p -> p.getFileName().toString().equals("stderr")),
          "the Worker launched no executor JVM (no executor stderr under " + cluster.workerDir() + ")");
    }
  }

  @Test
  @Timeout(value = 200, unit = TimeUnit.SECONDS)
  void failingStageMakesSubmitExitNonZeroWithTheCauseInTheDriverLog() throws Exception {
    Path output = work.resolve("smoke-fail");

    Submission submission = failing.get(SUBMIT_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);

    assertNotEquals(0, submission.exitCode(), "a failed stage must fail spark-submit");
    assertTrue(submission.driverLog().contains(ClusterSmoke.FAILURE_MESSAGE),
        "the task's exception is not in the driver log:\n" + tail(submission.driverLog()));
    assertTrue(submission.driverLog().contains("SparkException"), "no job-abort SparkException in the driver log");
    assertFalse(Files.exists(output.resolve("_SUCCESS")), "a failed job must not commit its output");
  }

  @Test
  @Timeout(value = 330, unit = TimeUnit.SECONDS)
  void wholePipelineRunsFromTheShadedJarOnTheClusterAndPublishesItsManifest() throws Exception {
    assumeTrue(pipelineInJar, "Skipping the pipeline submission: " + PROPER_CLI + " is not in " + shadedJar
        + " yet (or " + DEMO_CONF + " is absent)");
    Path root = work.resolve("pipeline");

    Submission submission = pipeline.get(PIPELINE_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);

    assertEquals(0, submission.exitCode(), "`proper run` failed under spark-submit; driver log "
        + submission.logFile() + ":\n" + tail(submission.driverLog()));
    Path runDir = root.resolve("warehouse").resolve("runs").resolve(RUN_ID);
    assertTrue(Files.isRegularFile(runDir.resolve("_manifest.json")),
        "no _manifest.json (written last, DESIGN §5) in " + runDir);
  }

  /** `proper run --generate` on a tiny synthetic data set and model, everything under {@code root}. */
  private static List<String> pipelineArgs(Path root) {
    List<String> args = new ArrayList<>(commonSubmitArgs("proper-pipeline", "1g"));
    args.addAll(List.of("--class", PROPER_CLI, shadedJar.toAbsolutePath().toString(),
        "run", "--generate", "--config", DEMO_CONF.toString(), "--run-id", RUN_ID));
    Map<String, String> tiny = new LinkedHashMap<>();
    tiny.put("proper.warehouse", root.resolve("warehouse").toString());
    tiny.put("proper.data.input", root.resolve("data").toString());
    tiny.put("proper.synthetic.output", root.resolve("data").toString());
    tiny.put("proper.synthetic.users", "40");
    tiny.put("proper.synthetic.groups", "2");
    tiny.put("proper.cluster.k", "2");
    tiny.put("proper.model.d-model", "32");
    tiny.put("proper.model.d-ffn", "64");
    tiny.put("proper.model.layers", "1");
    tiny.put("proper.model.heads", "2");
    tiny.put("proper.model.kv-heads", "2");
    tiny.put("proper.model.max-seq-len", "48");
    tiny.put("proper.model.pretrain-steps", "5");
    tiny.put("proper.train.population.rounds", "1");
    tiny.put("proper.train.population.local-steps", "2");
    tiny.put("proper.train.groups.warm-start-steps", "2");
    tiny.put("proper.train.groups.joint-rounds", "1");
    tiny.put("proper.train.groups.joint-local-steps", "2");
    tiny.put("proper.train.users.steps", "2");
    tiny.put("proper.train.users.shards", "2");
    tiny.forEach((k, v) -> args.add("-D" + k + "=" + v));
    return args;
  }

  private static boolean containsEntry(Path jar, String entry) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.getEntry(entry) != null;
    }
  }

  private static List<String> submitArgs(Path output, boolean fail) {
    List<String> args = new ArrayList<>(commonSubmitArgs("proper-cluster-smoke" + (fail ? "-fail" : ""), "768m"));
    args.addAll(List.of(
        "--class", ClusterSmoke.class.getName(),
        shadedJar.toAbsolutePath().toString(),
        "--output", output.toString(),
        "--tasks", Integer.toString(TASKS),
        "--size", "96"));
    if (fail) {
      args.add("--fail");
    }
    return args;
  }

  /** spark-submit options every application here uses: loopback, no UI, one small executor, DL4J memory caps. */
  private static List<String> commonSubmitArgs(String name, String executorMemory) {
    List<String> executorOpts = new ArrayList<>(JavaProcess.sparkJvmFlags());
    executorOpts.addAll(LocalStandaloneCluster.SMALL_JVM);
    // DL4J's off-heap arrays are bounded by JavaCPP, not by -Xmx
    executorOpts.add("-Dorg.bytedeco.javacpp.maxbytes=1G");
    executorOpts.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=3G");
    return List.of(
        "--name", name,
        "--conf", "spark.driver.host=" + LocalStandaloneCluster.HOST,
        "--conf", "spark.driver.bindAddress=" + LocalStandaloneCluster.HOST,
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.executor.memory=" + executorMemory,
        "--conf", "spark.executor.cores=1",
        "--conf", "spark.cores.max=1",
        "--conf", "spark.task.maxFailures=2",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", executorOpts),
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1");
  }


  private static Path freshDirectory(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(dir).toAbsolutePath();
  }

  /** Reads the Parquet part files with parquet-hadoop directly (no Spark needed in the test JVM). */
  private static List<Group> readParquet(Path dir) throws IOException {
    List<Group> rows = new ArrayList<>();
    List<Path> parts;
    try (Stream<Path> files = Files.list(dir)) {
      parts = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    for (Path part : parts) {
      try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
          new org.apache.hadoop.fs.Path(part.toUri())).build()) {
        for (Group row = reader.read(); row != null; row = reader.read()) {
          rows.add(row);
        }
      }
    }
    return rows;
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
