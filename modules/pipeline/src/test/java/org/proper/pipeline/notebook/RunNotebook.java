package org.proper.pipeline.notebook;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Executes notebooks/proper_run.ipynb (through notebooks/execute.sh, i.e. Debian's nbconvert) on a run directory and
 * reads back what its cells produced. Tests skip where the Debian Jupyter packages are absent.
 */
public final class RunNotebook {
    /** The repository's notebooks/ folder, seen from a module directory (surefire's working directory). */
    public static final Path NOTEBOOKS = Path.of("").toAbsolutePath().resolve("../../notebooks").normalize();
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** What an executed notebook holds: the errors of its cells, the number of PNG plots, and all its text output. */
    public record Executed(List<String> errors, int images, String text) {}

    private RunNotebook() {}

    /** Skips the calling test unless the notebook and Debian's Jupyter (with pandas and matplotlib) are installed. */
    public static void assumeJupyter(Path temp) throws IOException, InterruptedException {
        assumeTrue(Files.isRegularFile(NOTEBOOKS.resolve("proper_run.ipynb")), "Skipped: " + NOTEBOOKS + " is absent");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/jupyter-nbconvert")) && Files.isExecutable(PYTHON)
                        && run(List.of(PYTHON.toString(), "-c", "import pandas, matplotlib, nbformat, nbconvert, ipykernel"),
                        60, temp) == 0,
                "Skipped: Debian's Jupyter is not installed (apt-get install -y --no-install-recommends jupyter-nbconvert"
                        + " python3-nbconvert python3-nbformat python3-ipykernel python3-matplotlib python3-pandas)");
    }

    /** Writes a fabricated run (notebooks/fabricate_run.py) of {@code users} users into runDir; returns its exit code. */
    public static int fabricate(Path runDir, int users, Path temp) throws IOException, InterruptedException {
        List<String> fabricate = new ArrayList<>(List.of(PYTHON.toString(), NOTEBOOKS.resolve("fabricate_run.py").toString(),
                runDir.toString(), "--users", Integer.toString(users)));
        Path manifestSchema = NOTEBOOKS.resolveSibling("data-schemas").resolve("manifest.schema.json");
        if (Files.isRegularFile(manifestSchema)) { // the fabricated manifest must follow the contract
            fabricate.addAll(List.of("--schema", manifestSchema.toString()));
        }
        return run(fabricate, 60, temp);
    }

    /** Executes the notebook on runDir (a local run directory holding _manifest.json) and reads the result. */
    public static Executed execute(Path runDir, Path temp) throws IOException, InterruptedException {
        Path executed = Files.createTempDirectory(temp, "notebook").resolve("executed.ipynb");
        int exit = run(List.of(NOTEBOOKS.resolve("execute.sh").toString(), runDir.toString(), executed.toString()), 300, temp);
        if (exit != 0) {
            throw new AssertionError("notebooks/execute.sh " + runDir + " exited " + exit);
        }
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
        return new Executed(List.copyOf(errors), images, text.toString());
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

    private static int run(List<String> command, int timeoutSeconds, Path temp) throws IOException, InterruptedException {
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
