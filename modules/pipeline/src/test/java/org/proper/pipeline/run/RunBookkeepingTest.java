package org.proper.pipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunBookkeepingTest {
    private final Configuration conf = new Configuration();

    @TempDir
    File warehouse;

    @Test
    void layoutPutsTablesUnderRunsRunId() {
        RunLayout layout = RunLayout.of(warehouse.getPath() + "/", "2026-11-25");
        assertEquals(new Path(warehouse.getPath() + "/runs/2026-11-25/adapters"), layout.table(RunLayout.ADAPTERS));
        assertEquals("_manifest.json", layout.manifest().getName());
        assertThrows(IllegalArgumentException.class, () -> layout.table("../x"));
    }

    @Test
    void completedStageIsSkippedOnResume() {
        StageMarkers markers = new StageMarkers(RunLayout.of(warehouse.getPath(), "r1"), conf);
        AtomicInteger runs = new AtomicInteger();
        assertTrue(markers.runOnce("embed", runs::incrementAndGet));
        // a second attempt of the same run (e.g. after a later stage failed) does not redo the stage
        assertFalse(new StageMarkers(RunLayout.of(warehouse.getPath(), "r1"), conf).runOnce("embed", runs::incrementAndGet));
        assertEquals(1, runs.get());
    }

    @Test
    void failingStageLeavesNoMarkerAndRunsAgain() {
        StageMarkers markers = new StageMarkers(RunLayout.of(warehouse.getPath(), "r1"), conf);
        assertThrows(IllegalStateException.class, () -> markers.runOnce("cluster", () -> {
            throw new IllegalStateException("killed");
        }));
        assertFalse(markers.isComplete("cluster"));
        AtomicInteger runs = new AtomicInteger();
        assertTrue(markers.runOnce("cluster", runs::incrementAndGet));
        assertEquals(1, runs.get());
    }

    @Test
    void uncommittedStagedOutputIsInvisibleAndCommitReplacesPartialOutput() throws Exception {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        File table = new File(layout.table("user_groups").toUri().getPath());
        // debris of an interrupted earlier attempt that got as far as the rename but not the marker
        assertTrue(new File(table, "stale").mkdirs());

        StagedOutput out = StagedOutput.begin(layout, "user_groups", conf);
        File staging = new File(out.staging().toUri().getPath());
        assertTrue(staging.mkdirs());
        Files.writeString(new File(staging, "part-0.parquet").toPath(), "new");
        assertFalse(new File(table, "part-0.parquet").exists(), "staged data is not visible before commit");

        out.commit();
        assertEquals(Set.of("part-0.parquet"), Set.of(table.list()));
        assertFalse(staging.exists());
    }

    @Test
    void shardMarkersListCommittedShardsInOrder() {
        StageMarkers markers = new StageMarkers(RunLayout.of(warehouse.getPath(), "r1"), conf);
        assertEquals(Set.of(), markers.committedShards("train-users"));
        for (int shard : new int[] {7, 0, 3}) {
            markers.markShardCommitted("train-users", shard);
        }
        assertEquals(List.of(0, 3, 7), List.copyOf(markers.committedShards("train-users")));
        assertTrue(markers.isShardCommitted("train-users", 3));
        assertFalse(markers.isShardCommitted("train-users", 4));
        markers.clear("train-users");
        assertEquals(Set.of(), markers.committedShards("train-users"));
    }

    @Test
    void manifestMakesTheRunVisibleAndLeavesNoTempFiles() throws Exception {
        RunLayout layout = RunLayout.of(warehouse.getPath(), "r1");
        ManifestWriter writer = new ManifestWriter(layout, conf);
        assertFalse(writer.isPublished());
        IllegalStateException unpublished = assertThrows(IllegalStateException.class, writer::read);
        assertTrue(unpublished.getMessage().contains("Cannot read run r1"), unpublished.getMessage());

        writer.write(Map.of("counts", Map.of("users", 3)));
        writer.write(Map.of("counts", Map.of("users", 4))); // re-publishing the same run id replaces it
        Map<String, Object> manifest = writer.read();
        assertEquals("r1", manifest.get("run_id"));
        assertEquals(Map.of("users", 4), manifest.get("counts"));
        File root = new File(layout.root().toUri().getPath());
        for (String name : root.list()) {
            assertFalse(name.endsWith(".tmp"), "temp file left behind: " + name);
        }
        String json = Files.readString(new File(root, "_manifest.json").toPath(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"run_id\" : \"r1\""), json);
    }
}
