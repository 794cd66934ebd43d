package org.proper.pipeline.run;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Completion markers of a run's stages: a stage is complete when {@code <run>/_markers/<stage>.done} exists. Markers
 * are written only after the stage's outputs are fully in place (see {@link StagedOutput}), so an interrupted run
 * resumes from the first stage without a marker.
 *
 * <p>The user stage commits shard by shard: {@code <run>/_markers/<stage>/shard-00012.done}, written after that
 * shard's adapters are in place; a resumed stage skips committed shards and rewrites (replaces, never appends) the
 * others, so no tensor is written twice.
 */
public final class StageMarkers {
    private static final Pattern STAGE = Pattern.compile("[a-z][a-z0-9-]{0,63}");
    private static final Pattern SHARD_FILE = Pattern.compile("shard-(\\d+)\\.done");

    private final RunLayout layout;
    private final Configuration conf;

    public StageMarkers(RunLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    public boolean isComplete(String stage) {
        return AtomicFiles.exists(stageMarker(stage), conf);
    }

    /** Call only after the stage's outputs are committed. */
    public void markComplete(String stage) {
        AtomicFiles.writeFile(stageMarker(stage), ("completed_at=" + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8), conf);
    }

    /** Forgets a stage's completion (e.g. to force it to run again); its shard markers go too. */
    public void clear(String stage) {
        AtomicFiles.deleteRecursively(stageMarker(stage), conf);
        AtomicFiles.deleteRecursively(shardDir(stage), conf);
    }

    /**
     * Runs {@code body} unless the stage is already complete, then marks it complete.
     *
     * @return true if the body ran, false if the stage was skipped as already complete
     */
    public boolean runOnce(String stage, Runnable body) {
        if (isComplete(stage)) {
            return false;
        }
        body.run();
        markComplete(stage);
        return true;
    }

    public boolean isShardCommitted(String stage, int shard) {
        return AtomicFiles.exists(shardMarker(stage, shard), conf);
    }

    /** Call only after the shard's outputs are in place. */
    public void markShardCommitted(String stage, int shard) {
        AtomicFiles.writeFile(shardMarker(stage, shard), ("committed_at=" + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8), conf);
    }

    /** The shards of {@code stage} committed so far, in ascending order. */
    public SortedSet<Integer> committedShards(String stage) {
        Path dir = shardDir(stage);
        SortedSet<Integer> shards = new TreeSet<>();
        try {
            FileSystem fs = dir.getFileSystem(conf);
            for (FileStatus status : fs.listStatus(dir)) {
                Matcher m = SHARD_FILE.matcher(status.getPath().getName());
                if (m.matches()) {
                    shards.add(Integer.parseInt(m.group(1)));
                }
            }
        } catch (FileNotFoundException e) {
            return shards;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list shard markers in " + dir + ": " + e.getMessage(), e);
        }
        return shards;
    }

    /** Removes staging debris left by interrupted attempts; safe once no stage of this run is writing. */
    public void clearStaging() {
        AtomicFiles.deleteRecursively(layout.stagingDir(), conf);
    }

    private Path stageMarker(String stage) {
        return new Path(layout.markersDir(), requireStage(stage) + ".done");
    }

    private Path shardDir(String stage) {
        return new Path(layout.markersDir(), requireStage(stage));
    }

    private Path shardMarker(String stage, int shard) {
        if (shard < 0) {
            throw new IllegalArgumentException("Cannot mark shard " + shard + " of stage " + stage + ": shard must be >= 0");
        }
        return new Path(shardDir(stage), String.format("shard-%05d.done", shard));
    }

    private static String requireStage(String stage) {
        if (stage == null || !STAGE.matcher(stage).matches()) {
            throw new IllegalArgumentException("Cannot use stage name '" + stage + "': expected lowercase kebab-case, e.g. train-users");
        }
        return stage;
    }
}
