package org.proper.jobs.airflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The nightly DAG stays in step with the jobs: stage order, CLI arguments, retries/SLA and Spark memory settings. */
class NightlyDagTest {
  static final String DS = "2026-11-24";
  static final List<String> STAGES = List.of("ingest", "embed", "cluster", "train-population", "train-groups",
      "train-users", "evaluate", "publish");
  static final String CLI_CLASS = "org.proper.jobs.cli.ProperCli";

  private static NightlyDag dag;
  private static Path config;

  @BeforeAll
  static void readDag() throws Exception {
    assumeTrue(NightlyDag.pythonAvailable(), "Skipping the DAG tests: python3 is not on the PATH");
    config = configFile();
    dag = NightlyDag.read(DS, Map.of("proper_config", config.toString()));
  }

  /** The repository's cluster profile (falling back to the defaults) stands in for the production config. */
  static Path configFile() {
    for (String name : List.of("cluster.conf", "proper.conf")) {
      Path p = Path.of("..", "conf", name).toAbsolutePath().normalize();
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return Path.of("..", "conf", "cluster.conf").toAbsolutePath().normalize();
  }

  @Test
  void oneSparkSubmitPerStageChainedInPipelineOrder() {
    assertEquals(STAGES, dag.tasks.stream().map(NightlyDag.Task::taskId).toList());
    List<List<String>> chain = new ArrayList<>();
    for (int i = 1; i < STAGES.size(); i++) {
      chain.add(List.of(STAGES.get(i - 1), STAGES.get(i)));
    }
    assertEquals(chain, dag.edges);
  }

  @Test
  void everyTaskRunsItsStageForTheRunDateOnTheLatestParentWithTheConfiguredFile() {
    for (NightlyDag.Task task : dag.tasks) {
      assertEquals(CLI_CLASS, task.javaClass(), task.taskId());
      assertEquals(List.of(task.taskId(), "--run-date", DS, "--parent-run", "latest", "--config", config.toString()),
          task.applicationArgs(), task.taskId());
      assertTrue(task.application().endsWith(".jar"), task.taskId() + ": application " + task.application());
    }
  }

  @Test
  void tasksRetryWithDelayUnderAnSlaAndRunOneDateAtATime() {
    assertTrue(dag.defaultArgs.get("retries").asInt() >= 1, "retries");
    assertTrue(dag.defaultArgs.at("/retry_delay/seconds").asDouble() >= 60, "retry_delay");
    assertTrue(dag.defaultArgs.at("/sla/seconds").asDouble() > 0, "sla");
    assertTrue(dag.defaultArgs.get("depends_on_past").asBoolean(), "a nightly run builds on the previous one");
    assertEquals(1, dag.dag.get("max_active_runs").asInt());
  }

  @Test
  void sparkConfGivesDl4jItsOffHeapMemoryAndOneNativeThreadPerTaskSlot() {
    for (NightlyDag.Task task : dag.tasks) {
      Map<String, String> conf = task.conf();
      assertTrue(conf.containsKey("spark.executor.memoryOverhead"), task.taskId());
      assertTrue(conf.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxbytes="),
          task.taskId());
      assertTrue(conf.get("spark.executor.extraJavaOptions").contains("-Dorg.bytedeco.javacpp.maxphysicalbytes="),
          task.taskId());
      assertEquals("1", conf.get("spark.executorEnv.OMP_NUM_THREADS"), task.taskId());
    }
  }

  @Test
  void driverAndExecutorsGetTheVectorModuleTheActivationKernelsNeed() {
    for (NightlyDag.Task task : dag.tasks) {
      Map<String, String> conf = task.conf();
      for (String key : new String[]{"spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions"})
        assertTrue(conf.getOrDefault(key, "").contains("--add-modules=jdk.incubator.vector"), task.taskId() + " " + key);
    }
  }

  @Test
  void airflowVariablesOverrideTheDefaults() throws Exception {
    NightlyDag custom = NightlyDag.read(DS, Map.of("proper_jar", "/srv/proper.jar", "proper_executor_memory", "30g"));
    assertEquals("/srv/proper.jar", custom.tasks.get(0).application());
    assertEquals("30g", custom.tasks.get(0).conf().get("spark.executor.memory"));
    assertEquals("8g", dag.tasks.get(0).conf().get("spark.executor.memory"));
  }

  @Test
  void everyTaskArgumentListParsesWithTheCliDryRun() throws Exception {
    Class<?> cli = cliClass();
    assumeTrue(cli != null, "Skipping the dry-run check: " + CLI_CLASS + " is not built yet");
    assumeTrue(Files.isRegularFile(config), "Skipping the dry-run check: no config file " + config);
    Method commandLine = cli.getMethod("commandLine");
    for (NightlyDag.Task task : dag.tasks) {
      CommandLine command = (CommandLine) commandLine.invoke(null);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      command.setOut(new PrintWriter(out));
      command.setErr(new PrintWriter(err));
      List<String> args = new ArrayList<>(task.applicationArgs());
      args.add("--dry-run");

      int exit = command.execute(args.toArray(String[]::new));

      assertEquals(0, exit, task.taskId() + ": `proper " + String.join(" ", args) + "` failed:\n" + err + out);
    }
  }

  @Test
  void dagWithTheGpuProfileAsItsConfigPassesTheDryRun() throws Exception {
    Class<?> cli = cliClass();
    assumeTrue(cli != null, "Skipping the dry-run check: " + CLI_CLASS + " is not built yet");
    Path gpu = Path.of("..", "conf", "gpu.conf").toAbsolutePath().normalize();
    assumeTrue(Files.isRegularFile(gpu), "Skipping: no " + gpu);
    NightlyDag gpuDag = NightlyDag.read(DS, Map.of("proper_config", gpu.toString()));
    for (NightlyDag.Task task : gpuDag.tasks) {
      CommandLine command = (CommandLine) cli.getMethod("commandLine").invoke(null);
      StringWriter err = new StringWriter();
      command.setOut(new PrintWriter(new StringWriter()));
      command.setErr(new PrintWriter(err));
      List<String> args = new ArrayList<>(task.applicationArgs());
      args.add("--dry-run");

      assertEquals(0, command.execute(args.toArray(String[]::new)), task.taskId() + " with gpu.conf:\n" + err);
    }
  }

  @Test
  void dryRunRejectsAnArgumentListAirflowDidNotRender() throws Exception {
    Class<?> cli = cliClass();
    assumeTrue(cli != null, "Skipping the dry-run check: " + CLI_CLASS + " is not built yet");
    CommandLine command = (CommandLine) cli.getMethod("commandLine").invoke(null);
    command.setOut(new PrintWriter(new StringWriter()));
    command.setErr(new PrintWriter(new StringWriter()));

    int exit = command.execute("ingest", "--run-date", "{{ ds }}", "--config", config.toString(), "--dry-run");

    assertTrue(exit != 0, "the dry run must fail on an unrendered {{ ds }}, or the DAG check proves nothing");
  }

  @Test
  void dagCoversEveryStageTheCliHas() throws Exception {
    Class<?> stageName = classOrNull("org.proper.pipeline.StageName");
    assumeTrue(stageName != null && stageName.isEnum(), "Skipping: org.proper.pipeline.StageName is not built yet");
    Method cliName = stageName.getMethod("cliName");
    List<String> cliStages = new ArrayList<>();
    for (Object stage : Arrays.asList(stageName.getEnumConstants())) {
      cliStages.add((String) cliName.invoke(stage));
    }
    assertEquals(cliStages, dag.tasks.stream().map(NightlyDag.Task::taskId).toList());
  }

  static Class<?> cliClass() {
    return classOrNull(CLI_CLASS);
  }

  private static Class<?> classOrNull(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }
}
