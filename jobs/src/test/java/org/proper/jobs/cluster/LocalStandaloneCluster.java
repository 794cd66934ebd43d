package org.proper.jobs.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback: one Master and one Worker, each its own JVM started from the Spark jars, so
 * that executors run in JVMs separate from the driver. Ports are random free ones; logs go under the work folder.
 */
final class LocalStandaloneCluster implements AutoCloseable {
  static final String HOST = "127.0.0.1";
  /** Short-lived JVMs on a small machine: C1 only (fast start-up), one GC thread. */
  static final List<String> SMALL_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private final SparkDistribution spark;
  private final List<String> jvmFlags;
  private final Path workDir;
  private final int masterPort;
  private final List<JavaProcess> daemons = new ArrayList<>();

  private LocalStandaloneCluster(SparkDistribution spark, List<String> jvmFlags, Path workDir, int masterPort) {
    this.spark = spark;
    this.jvmFlags = jvmFlags;
    this.workDir = workDir;
    this.masterPort = masterPort;
  }

  /**
   * Starts the Master and one Worker offering {@code workerCores} cores and {@code workerMemory} (e.g. "1536m") and
   * returns once the Worker has registered.
   */
  static LocalStandaloneCluster start(SparkDistribution spark, List<String> jvmFlags, Path workDir, int workerCores,
      String workerMemory) throws IOException, InterruptedException {
    LocalStandaloneCluster cluster = new LocalStandaloneCluster(spark, jvmFlags, workDir, freePort());
    try {
      cluster.startDaemons(workerCores, workerMemory);
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void startDaemons(int workerCores, String workerMemory) throws IOException, InterruptedException {
    List<String> daemonJvm = new ArrayList<>(jvmFlags);
    daemonJvm.addAll(SMALL_JVM);
    daemonJvm.addAll(List.of("-Xmx256m", "-Dspark.master.rest.enabled=false", "-Dspark.ui.showConsoleProgress=false"));
    JavaProcess master = JavaProcess.start("spark-master", spark.classpath(), daemonJvm,
        "org.apache.spark.deploy.master.Master",
        List.of("--host", HOST, "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort())),
        environment(), workDir.resolve("master.log"));
    daemons.add(master);
    master.awaitLogLine("I have been elected leader", Duration.ofSeconds(60));

    Path workerDir = Files.createDirectories(workDir.resolve("worker"));
    JavaProcess worker = JavaProcess.start("spark-worker", spark.classpath(), daemonJvm,
        "org.apache.spark.deploy.worker.Worker",
        List.of("--host", HOST, "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()),
            "--cores", Integer.toString(workerCores), "--memory", workerMemory, "--work-dir", workerDir.toString(),
            masterUrl()),
        environment(), workDir.resolve("worker.log"));
    daemons.add(worker);
    worker.awaitLogLine("Successfully registered with master", Duration.ofSeconds(60));
  }

  /**
   * Runs {@code org.apache.spark.deploy.SparkSubmit} (what bin/spark-submit runs) in its own JVM, in client deploy
   * mode against this cluster, and waits for it.
   *
   * @return exit code and driver log
   */
  Submission submit(String name, List<String> submitArgs, Duration timeout) throws IOException, InterruptedException {
    return submit(name, submitArgs, "512m", timeout);
  }

  /** As {@link #submit(String, List, Duration)} with the driver's heap, e.g. "1g". */
  Submission submit(String name, List<String> submitArgs, String driverHeap, Duration timeout)
      throws IOException, InterruptedException {
    List<String> driverJvm = new ArrayList<>(jvmFlags);
    driverJvm.addAll(SMALL_JVM);
    driverJvm.add("-Xmx" + driverHeap);
    List<String> args = new ArrayList<>(List.of("--master", masterUrl(), "--deploy-mode", "client"));
    args.addAll(submitArgs);
    try (JavaProcess driver = JavaProcess.start(name, spark.classpath(), driverJvm,
        "org.apache.spark.deploy.SparkSubmit", args, environment(), workDir.resolve(name + "-driver.log"))) {
      int exit = driver.waitFor(timeout);
      return new Submission(exit, driver.pid(), driver.logText(), driver.log());
    }
  }

  /** Outcome of one spark-submit. */
  record Submission(int exitCode, long driverPid, String driverLog, Path logFile) {}

  String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  Path workerDir() {
    return workDir.resolve("worker");
  }

  private Map<String, String> environment() {
    return Map.of(
        "SPARK_HOME", spark.home().toString(),
        "SPARK_SCALA_VERSION", "2.13",
        "SPARK_LOCAL_IP", HOST,
        "SPARK_LOCAL_HOSTNAME", "localhost",
        "OMP_NUM_THREADS", "1");
  }

  /** Flags for JVMs that run Spark on Java 17 (the parent pom's proper.jvm.flags), from the system property. */
  static List<String> jvmFlags(String flags) {
    return Arrays.stream(flags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** Stops the Worker (and its executors) first, then the Master. */
  @Override
  public void close() {
    for (int i = daemons.size() - 1; i >= 0; i--) {
      daemons.get(i).close();
    }
    daemons.clear();
  }
}
