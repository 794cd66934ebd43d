package org.proper.jobs.cluster;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A child JVM whose stdout and stderr go to one log file; stopping it stops its whole process tree. */
final class JavaProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private JavaProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Spark's Java 17 flags: the parent pom's proper.jvm.flags (set by failsafe), else this JVM's own. */
  static List<String> sparkJvmFlags() {
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

  /** Starts {@code java <jvmArgs> -cp <classpath> <mainClass> <args>} with the extra environment. */
  static JavaProcess start(String name, String classpath, List<String> jvmArgs, String mainClass, List<String> args,
      Map<String, String> env, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new JavaProcess(name, builder.start(), log);
  }

  /** Waits for exit; on timeout kills the tree and fails naming the log. */
  int waitFor(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      close();
      throw new AssertionError(name + " did not finish within " + timeout + "; log " + log + ":\n" + tail(80));
    }
    return process.exitValue();
  }

  /** Polls the log until it contains {@code marker}; fails if the process dies or time runs out. */
  void awaitLogLine(String marker, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (logText().contains(marker)) {
        return;
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before logging '" + marker + "':\n"
            + tail(80));
      }
      Thread.sleep(200);
    }
    throw new AssertionError(name + " did not log '" + marker + "' within " + timeout + ":\n" + tail(80));
  }

  String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  String tail(int lines) {
    List<String> all = logText().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  Path log() {
    return log;
  }

  long pid() {
    return process.pid();
  }

  /** SIGTERM to the process and all its descendants (executors under a Worker), SIGKILL after 15 s. */
  @Override
  public void close() {
    ProcessHandle root = process.toHandle();
    List<ProcessHandle> tree = new ArrayList<>(root.descendants().toList());
    tree.add(0, root);
    tree.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (ProcessHandle handle : tree) {
      while (handle.isAlive() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      if (handle.isAlive()) {
        handle.destroyForcibly();
      }
    }
  }
}
