package org.proper.pipeline;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.run.StageMarkers;

/**
 * Starts a run from a copy of another run's completed stages (e.g. an ablation that shares ingest … population with
 * the main run): the run directory is copied, the manifest and every stage after {@code keepThrough} are forgotten,
 * so running the pipeline on the fork redoes only those stages.
 */
public final class RunForks {
    private RunForks() {}

    public static RunLayout fork(RunLayout source, String targetRunId, StageName keepThrough, Configuration conf) {
        RunLayout target = RunLayout.of(source.warehouse(), targetRunId);
        try {
            FileSystem fs = source.root().getFileSystem(conf);
            if (!fs.exists(source.root())) throw new IllegalArgumentException("Cannot fork run " + source.runId() + ": " + source.root() + " does not exist");
            fs.delete(target.root(), true);
            FileUtil.copy(fs, source.root(), fs, target.root(), false, true, conf);
            fs.delete(target.manifest(), false);
            StageMarkers markers = new StageMarkers(target, conf);
            for (StageName s : StageName.values()) {
                if (s.ordinal() > keepThrough.ordinal()) {
                    markers.clear(s.cliName());
                    fs.delete(new Path(target.markersDir(), s.cliName() + ".json"), false);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot fork run " + source.runId() + " into " + targetRunId + ": " + e.getMessage(), e);
        }
        return target;
    }
}
