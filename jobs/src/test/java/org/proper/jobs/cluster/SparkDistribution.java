package org.proper.jobs.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A throw-away SPARK_HOME whose {@code jars/} links the Spark distribution's jars: this module's provided scope, as
 * listed by the dependency plugin into target/spark-distribution.classpath, plus the few libraries Spark shares with
 * our compile scope (target/spark-distribution.classpath.shared). The Worker launches executors from it, exactly as
 * from an installed Spark.
 */
final class SparkDistribution {
  private final Path home;

  private SparkDistribution(Path home) {
    this.home = home;
  }

  static SparkDistribution create(Path classpathFile, Path home) throws IOException {
    String classpath = Files.readString(classpathFile, StandardCharsets.UTF_8).trim();
    Path shared = classpathFile.resolveSibling(classpathFile.getFileName() + ".shared");
    if (Files.isRegularFile(shared)) {
      classpath += File.pathSeparator + Files.readString(shared, StandardCharsets.UTF_8).trim();
    }
    List<Path> jars = Arrays.stream(classpath.split(File.pathSeparator)).filter(s -> s.endsWith(".jar"))
        .map(Path::of).distinct().toList();
    if (jars.stream().noneMatch(j -> j.getFileName().toString().startsWith("spark-core_"))) {
      throw new IllegalStateException("Cannot build a Spark distribution from " + classpathFile
          + ": it lists no spark-core jar");
    }
    Path jarsDir = Files.createDirectories(home.resolve("jars"));
    Files.createDirectories(home.resolve("conf"));
    for (Path jar : jars) {
      Path link = jarsDir.resolve(jar.getFileName());
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, jar);
      }
    }
    return new SparkDistribution(home);
  }

  Path home() {
    return home;
  }

  /** What bin/spark-class puts on the classpath: conf/ and jars/*. */
  String classpath() {
    return home.resolve("conf") + File.pathSeparator + home.resolve("jars") + File.separator + "*";
  }
}
