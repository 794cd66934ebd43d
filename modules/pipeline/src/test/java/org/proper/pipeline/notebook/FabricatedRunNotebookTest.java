package org.proper.pipeline.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run notebook on a fabricated run (notebooks/fabricate_run.py): the fabricator a user can try the notebook with
 * produces a run the notebook reads. The notebook on a real pipeline run is checked in PipelineEndToEndTest.
 */
class FabricatedRunNotebookTest {
    @TempDir
    Path temp;

    @Test
    void notebookExecutesOnAFabricatedRunAndDrawsItsPlots() throws Exception {
        RunNotebook.assumeJupyter(temp);
        Path runDir = temp.resolve("runs/fabricated-run");
        assertEquals(0, RunNotebook.fabricate(runDir, 60, temp), "fabricate_run.py failed");

        RunNotebook.Executed executed = RunNotebook.execute(runDir, temp);
        assertEquals(List.of(), executed.errors());
        // timings, metric by bucket, per-user means, groups, embeddings
        assertEquals(5, executed.images(), "plots drawn");
        assertTrue(executed.text().contains("table metrics: "), executed.text());
        assertTrue(executed.text().contains("users: 60, groups: 4"), executed.text());
        assertTrue(executed.text().contains("norms in [1.0000, 1.0000]"), executed.text());
    }
}
