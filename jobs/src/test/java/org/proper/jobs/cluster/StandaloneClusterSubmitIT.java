package org.proper.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
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
  private static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(120);

  /** Cluster logs, executor work dirs and outputs; kept after the run (target/cluster-it) for diagnosis. */
  private static Path work;

  private static LocalStandaloneCluster cluster;
  private static Path shadedJar;

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
    cluster = LocalStandaloneCluster.start(spark, jvmFlags(), work, 2, "1536m");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void submittedJarRunsNd4jOnExecutorJvmsAndWritesParquet() throws Exception {
    Path output = work.resolve("smoke-ok");

    Submission submission = cluster.submit("smoke-ok", submitArgs(output, false), SUBMIT_TIMEOUT);

    assertEquals(0, submission.exitCode(), "spark-submit failed; driver log " + submission.logFile() + ":\n"
        + tail(submission.driverLog()));
    assertTrue(submission.driverLog().contains("ClusterSmoke OK: " + TASKS + " task results"),
        "driver did not report the job's result");
    assertTrue(Files.exists(output.resolve("_SUCCESS")), "no _SUCCESS marker in " + output);
    try (Stream<Path> files = Files.list(output)) {
      assertEquals(TASKS, files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count());
    }
    List<Row> rows = readParquet(output);
    assertEquals(TASKS, rows.size());
    assertEquals(Set.of(0, 1, 2, 3), rows.stream().map(r -> r.<Integer>getAs("partition")).collect(Collectors.toSet()));
    long testPid = ProcessHandle.current().pid();
    for (Row row : rows) {
      String executor = row.getAs("executor_id");
      long pid = row.getAs("pid");
      assertNotEquals("driver", executor, "a task ran in the driver");
      assertNotEquals(submission.driverPid(), pid, "a task ran in the driver JVM");
      assertNotEquals(testPid, pid);
      assertEquals("CpuBackend", row.getAs("nd4j_backend"));
      assertNull(row.getAs("gpu_device"), "GpuBinding must be a no-op on CPU executors");
      double product = row.getAs("product_sum");
      double expected = row.getAs("expected_sum");
      assertEquals(expected, product, 1e-9 * expected, "ND4J's matmul disagrees with plain Java");
    }
    try (Stream<Path> executorLogs = Files.walk(cluster.workerDir())) {
      assertTrue(executorLogs.anyMatch(p -> p.getFileName().toString().equals("stderr")),
          "the Worker launched no executor JVM (no executor stderr under " + cluster.workerDir() + ")");
    }
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void failingStageMakesSubmitExitNonZeroWithTheCauseInTheDriverLog() throws Exception {
    Path output = work.resolve("smoke-fail");

    Submission submission = cluster.submit("smoke-fail", submitArgs(output, true), SUBMIT_TIMEOUT);

    assertNotEquals(0, submission.exitCode(), "a failed stage must fail spark-submit");
    assertTrue(submission.driverLog().contains(ClusterSmoke.FAILURE_MESSAGE),
        "the task's exception is not in the driver log:\n" + tail(submission.driverLog()));
    assertTrue(submission.driverLog().contains("SparkException"), "no job-abort SparkException in the driver log");
    assertFalse(Files.exists(output.resolve("_SUCCESS")), "a failed job must not commit its output");
  }

  private static List<String> submitArgs(Path output, boolean fail) {
    List<String> executorOpts = new ArrayList<>(jvmFlags());
    // DL4J's off-heap arrays are bounded by JavaCPP, not by -Xmx
    executorOpts.add("-Dorg.bytedeco.javacpp.maxbytes=1G");
    executorOpts.add("-Dorg.bytedeco.javacpp.maxphysicalbytes=3G");
    List<String> args = new ArrayList<>(List.of(
        "--class", ClusterSmoke.class.getName(),
        "--name", "proper-cluster-smoke" + (fail ? "-fail" : ""),
        "--conf", "spark.driver.host=" + LocalStandaloneCluster.HOST,
        "--conf", "spark.driver.bindAddress=" + LocalStandaloneCluster.HOST,
        "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.executor.cores=2",
        "--conf", "spark.cores.max=2",
        "--conf", "spark.task.maxFailures=2",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", executorOpts),
        "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
        shadedJar.toAbsolutePath().toString(),
        "--output", output.toString(),
        "--tasks", Integer.toString(TASKS),
        "--size", "96"));
    if (fail) {
      args.add("--fail");
    }
    return args;
  }

  /** Spark's Java 17 flags: the parent pom's proper.jvm.flags (set by failsafe), else this JVM's own. */
  private static List<String> jvmFlags() {
    String flags = System.getProperty("proper.jvm.flags");
    if (flags != null && !flags.isBlank()) {
      return LocalStandaloneCluster.jvmFlags(flags);
    }
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-modules") || a.startsWith("-Djdk.reflect")
            || a.startsWith("-Dio.netty") || a.startsWith("--enable-native-access")
            || a.equals("-XX:+IgnoreUnrecognizedVMOptions"))
        .toList();
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

  private static List<Row> readParquet(Path dir) {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("read-smoke-output")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
    try {
      return spark.read().parquet(dir.toString()).collectAsList();
    } finally {
      spark.stop();
    }
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }
}
