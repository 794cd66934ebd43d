package org.proper.eval.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executes notebooks/proper_run.ipynb with Debian's Jupyter on a fabricated run (notebooks/fabricate_run.py) and checks
 * that every cell ran without error and the plots were drawn. Skips where the Debian packages are absent.
 */
class NotebookExecutionTest {
    private static final Path NOTEBOOKS = Path.of("").toAbsolutePath().resolve("../../notebooks").normalize();
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path temp;

    @Test
    void notebookExecutesOnAFabricatedRunAndDrawsItsPlots() throws Exception {
        assumeTrue(Files.isRegularFile(NOTEBOOKS.resolve("proper_run.ipynb")), "Skipped: " + NOTEBOOKS + " is absent");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/jupyter-nbconvert")) && Files.isExecutable(PYTHON)
                        && run(List.of(PYTHON.toString(), "-c",
                        "import pandas, matplotlib, nbformat, nbconvert, ipykernel"), 60) == 0,
                "Skipped: Debian's Jupyter is not installed (apt-get install -y --no-install-recommends jupyter-nbconvert"
                        + " python3-nbconvert python3-nbformat python3-ipykernel python3-matplotlib python3-pandas)");
        Path runDir = temp.resolve("runs/fabricated-run");
        List<String> fabricate = new ArrayList<>(List.of(PYTHON.toString(),
                NOTEBOOKS.resolve("fabricate_run.py").toString(), runDir.toString(), "--users", "60"));
        Path manifestSchema = NOTEBOOKS.resolveSibling("data-schemas").resolve("manifest.schema.json");
        if (Files.isRegularFile(manifestSchema)) { // the fabricated manifest must follow the contract
            fabricate.addAll(List.of("--schema", manifestSchema.toString()));
        }
        assertEquals(0, run(fabricate, 60), "fabricate_run.py failed");
        Path executed = temp.resolve("executed.ipynb");
        assertEquals(0, run(List.of(NOTEBOOKS.resolve("execute.sh").toString(), runDir.toString(), executed.toString()),
                300), "execute.sh failed");

        JsonNode notebook = new ObjectMapper().readTree(executed.toFile());
        int images = 0;
        List<String> errors = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : notebook.get("cells")) {
            for (JsonNode output : cell.path("outputs")) {
                if ("error".equals(output.path("output_type").asText())) {
                    errors.add(output.path("ename").asText() + ": " + output.path("evalue").asText());
                }
                if (output.path("data").has("image/png")) {
                    images++;
                }
                text.append(joined(output.path("text"))).append(joined(output.path("data").path("text/plain")));
            }
        }
        assertEquals(List.of(), errors);
        // timings, metric by bucket, per-user means, groups, embeddings
        assertEquals(5, images, "plots drawn");
        assertTrue(text.toString().contains("table metrics: "), text.toString());
        assertTrue(text.toString().contains("users: 60, groups: 4"), text.toString());
        assertTrue(text.toString().contains("norms in [1.0000, 1.0000]"), text.toString());
    }

    /** nbformat stores multi-line text as a string or as a list of lines. */
    private static String joined(JsonNode text) {
        if (!text.isArray()) {
            return text.asText();
        }
        StringBuilder out = new StringBuilder();
        text.forEach(line -> out.append(line.asText()));
        return out.toString();
    }

    private int run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(temp, "process", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        if (process.exitValue() != 0) {
            System.err.println(command + " exited " + process.exitValue() + ":\n" + Files.readString(log));
        }
        return process.exitValue();
    }
}
