package org.proper.pipeline.run;

import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One table being written by a stage: the stage writes to {@link #stagingUri()} (under {@code <run>/_staging/}), then
 * {@link #commit()} renames it to {@code <run>/<table>/}. An interrupted write leaves only staging debris, which the
 * next attempt ignores (each attempt has its own staging directory) and {@link StageMarkers#clearStaging()} removes.
 */
public final class StagedOutput {
    private final Path staging;
    private final Path target;
    private final Configuration conf;

    private StagedOutput(Path staging, Path target, Configuration conf) {
        this.staging = staging;
        this.target = target;
        this.conf = conf;
    }

    public static StagedOutput begin(RunLayout layout, String table, Configuration conf) {
        Path target = layout.table(table);
        Path staging = new Path(layout.stagingDir(), table + "-" + UUID.randomUUID());
        return new StagedOutput(staging, target, conf);
    }

    /** Where the stage writes (e.g. {@code df.write().parquet(stagingUri())}). */
    public String stagingUri() {
        return staging.toString();
    }

    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    /** Renames the fully written staging directory to the table's path, replacing any earlier partial output. */
    public void commit() {
        if (!AtomicFiles.exists(staging, conf)) {
            throw new IllegalStateException("Cannot commit " + target + ": nothing was written to " + staging);
        }
        AtomicFiles.replaceDirectory(staging, target, conf);
    }

    public void abort() {
        AtomicFiles.deleteRecursively(staging, conf);
    }
}
