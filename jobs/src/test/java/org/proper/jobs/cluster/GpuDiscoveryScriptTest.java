package org.proper.jobs.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/gpu-discovery.sh prints JSON that Spark's own parser accepts, from (a stand-in for) nvidia-smi. */
class GpuDiscoveryScriptTest {
  private static final Path SCRIPT = Path.of("..", "bin", "gpu-discovery.sh").toAbsolutePath().normalize();

  @TempDir
  static Path bin;

  @BeforeAll
  static void fakeNvidiaSmi() throws IOException {
    assumeTrue(Files.isRegularFile(SCRIPT), "Skipping: " + SCRIPT + " is absent");
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "Skipping: no /bin/bash");
    Path smi = bin.resolve("nvidia-smi");
    // what `nvidia-smi --query-gpu=index --format=csv,noheader,nounits` prints on a 4-GPU node
    Files.writeString(smi, "#!/bin/sh\nprintf '0\\n1\\n2\\n3\\n'\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void listsEveryGpuOfTheNodeAsSparkResourceInformation() throws Exception {
    Result r = run(Map.of("PATH", bin + ":/usr/bin:/bin"));
    assertEquals(0, r.exit, r.err);
    ResourceInformation gpu = ResourceInformation.parseJson(r.out);
    assertEquals("gpu", gpu.name());
    assertArrayEquals(new String[] {"0", "1", "2", "3"}, gpu.addresses());
  }

  @Test
  void listsOnlyTheDevicesInCudaVisibleDevices() throws Exception {
    Result r = run(Map.of("PATH", bin + ":/usr/bin:/bin", "CUDA_VISIBLE_DEVICES", "1,3"));
    assertEquals(0, r.exit, r.err);
    assertArrayEquals(new String[] {"1", "3"}, ResourceInformation.parseJson(r.out).addresses());
  }

  @Test
  void failsWithAMessageWhereThereIsNoNvidiaSmi() throws Exception {
    Result r = run(Map.of("PATH", "/usr/bin:/bin"));
    assumeTrue(!Files.exists(Path.of("/usr/bin/nvidia-smi")), "Skipping: this machine has a real nvidia-smi");
    assertNotEquals(0, r.exit);
    assertTrue(r.err.contains("nvidia-smi not found"), r.err);
  }

  private record Result(int exit, String out, String err) {}

  private static Result run(Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString());
    pb.environment().clear();
    pb.environment().putAll(env);
    Path out = Files.createTempFile(bin, "out", ".txt");
    Path err = Files.createTempFile(bin, "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "gpu-discovery.sh hung");
    return new Result(p.exitValue(), Files.readString(out).trim(), Files.readString(err));
  }
}
