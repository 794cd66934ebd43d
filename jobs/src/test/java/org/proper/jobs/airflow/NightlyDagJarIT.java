package org.proper.jobs.airflow;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/** Every java_class the DAG submits is in the spark-submit jar that `package` built (failsafe, after package). */
class NightlyDagJarIT {

  @Test
  void everyTasksJavaClassIsInTheShadedJar() throws Exception {
    assumeTrue(NightlyDag.pythonAvailable(), "Skipping: python3 is not on the PATH");
    Path jar = Path.of(System.getProperty("proper.shaded.jar", "target/proper-jobs-0.1.0-SNAPSHOT-spark.jar"));
    assumeTrue(Files.isRegularFile(jar), "Skipping: shaded jar " + jar + " is absent (run `mvn verify -pl jobs`)");
    assumeTrue(NightlyDagTest.cliClass() != null,
        "Skipping: " + NightlyDagTest.CLI_CLASS + " is not built yet, so no jar can contain it");
    NightlyDag dag = NightlyDag.read(NightlyDagTest.DS, Map.of());
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (NightlyDag.Task task : dag.tasks) {
        String entry = task.javaClass().replace('.', '/') + ".class";
        assertNotNull(zip.getEntry(entry), task.taskId() + ": " + task.javaClass() + " is not in " + jar);
      }
      assertTrue(zip.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend") != null,
          "the jar lost ND4J's backend service file");
    }
  }
}
