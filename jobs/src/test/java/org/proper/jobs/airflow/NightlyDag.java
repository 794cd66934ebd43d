package org.proper.jobs.airflow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * jobs/airflow/proper_nightly.py as read by python3's ast module (src/test/resources/airflow/extract_dag.py): Airflow
 * is not installed, so the DAG is parsed, never imported. Templates are rendered for one logical date.
 */
final class NightlyDag {
  static final Path DAG_FILE = Path.of("airflow", "proper_nightly.py");

  /** One SparkSubmitOperator. */
  record Task(String taskId, String javaClass, String application, List<String> applicationArgs,
      Map<String, String> conf) {}

  final List<Task> tasks;
  final List<List<String>> edges;
  final JsonNode defaultArgs;
  final JsonNode dag;

  private NightlyDag(List<Task> tasks, List<List<String>> edges, JsonNode defaultArgs, JsonNode dag) {
    this.tasks = tasks;
    this.edges = edges;
    this.defaultArgs = defaultArgs;
    this.dag = dag;
  }

  static boolean pythonAvailable() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Reads the DAG with {{ ds }} = {@code ds} and the given Airflow Variables (others take the DAG's defaults). */
  static NightlyDag read(String ds, Map<String, String> variables) throws IOException, InterruptedException {
    Path script = Files.createTempFile("extract_dag", ".py");
    try (InputStream in = NightlyDag.class.getResourceAsStream("/airflow/extract_dag.py")) {
      if (in == null) {
        throw new IllegalStateException("Cannot read the DAG: test resource /airflow/extract_dag.py is missing");
      }
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    try {
      List<String> command = new ArrayList<>(List.of("python3", script.toString(), DAG_FILE.toString(), ds));
      variables.forEach((k, v) -> command.add(k + "=" + v));
      Path stdout = Files.createTempFile("dag", ".json");
      Path stderr = Files.createTempFile("dag", ".err");
      Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("Cannot read the DAG: python3 did not finish in 60 s");
      }
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      Files.delete(stdout);
      Files.delete(stderr);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("Cannot read the DAG " + DAG_FILE + " (python3 exit " + p.exitValue() + "): "
            + err);
      }
      return parse(new ObjectMapper().readTree(out));
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static NightlyDag parse(JsonNode json) {
    ObjectMapper mapper = new ObjectMapper();
    List<Task> tasks = new ArrayList<>();
    for (JsonNode t : json.get("tasks")) {
      tasks.add(new Task(t.path("task_id").asText(null), t.path("java_class").asText(null),
          t.path("application").asText(null),
          mapper.convertValue(t.get("application_args"), mapper.getTypeFactory()
              .constructCollectionType(List.class, String.class)),
          t.get("conf") == null || t.get("conf").isNull() ? Map.of()
              : mapper.convertValue(t.get("conf"), mapper.getTypeFactory()
                  .constructMapType(Map.class, String.class, String.class))));
    }
    List<List<String>> edges = new ArrayList<>();
    for (JsonNode e : json.get("edges")) {
      edges.add(List.of(e.get(0).asText(), e.get(1).asText()));
    }
    return new NightlyDag(tasks, edges, json.get("default_args"), json.get("dag"));
  }
}
