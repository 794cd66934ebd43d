package org.proper.pipeline.incremental;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.io.AdapterTableWriter;
import org.proper.pipeline.io.AdapterWriteOptions;
import org.proper.pipeline.io.TensorRecord;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;

/**
 * Takes what an incremental run keeps from its parent: model artifacts ({@code <run>/model/<name>.bin} and model
 * directories) copied byte for byte, and adapter rows copied into this run's adapters table, so that a published run
 * is self-contained (serving reads one run; the parent may be deleted later).
 */
public final class ParentArtifacts {
    private final RunContext ctx;
    private final RunLayout parent;

    public ParentArtifacts(RunContext ctx, RunLayout parent) {
        this.ctx = ctx;
        this.parent = parent;
    }

    public static ParentArtifacts of(RunContext ctx, IncrementalPlan plan) {
        if (!plan.hasParent()) throw new IllegalStateException("Cannot reuse parent artifacts: run " + ctx.runId() + " has no parent");
        return new ParentArtifacts(ctx, RunLayout.of(ctx.layout().warehouse(), plan.parentRunId()));
    }

    public RunLayout parent() {
        return parent;
    }

    /** Copies the parent's {@code model/<name>.bin} artifacts. */
    public void copyArtifacts(String... names) {
        Configuration conf = ctx.hadoopConf();
        ArtifactStore from = new ArtifactStore(parent, conf), to = new ArtifactStore(ctx.layout(), conf);
        for (String name : names) copy(from.path(name), to.path(name), conf);
    }

    /** Copies a directory under the parent's {@code model/} (e.g. the fitted embedding model). */
    public void copyModelDir(String name) {
        copy(modelDir(parent, name), modelDir(ctx.layout(), name), ctx.hadoopConf());
    }

    public boolean parentHasModelDir(String name) {
        try {
            Path p = modelDir(parent, name);
            return p.getFileSystem(ctx.hadoopConf()).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path modelDir(RunLayout layout, String name) {
        return new Path(layout.root(), "model/" + name);
    }

    /** The parent's adapter rows of the given levels (verified against their sha256 as they are read). */
    public JavaRDD<TensorRecord> adapters(String... levels) {
        AdapterTableReader reader = new AdapterTableReader(ctx.spark());
        String uri = parent.tableUri(RunLayout.ADAPTERS);
        JavaRDD<TensorRecord> out = null;
        for (String level : levels) {
            JavaRDD<TensorRecord> rows = reader.readLevel(uri, level);
            out = out == null ? rows : out.union(rows);
        }
        return out;
    }

    /** Copies the parent's adapter rows of {@code levels} into this run's adapters table as batch {@code batch}. */
    public void copyAdapters(String batch, int shards, String... levels) {
        new AdapterTableWriter(ctx.spark(), ctx.layout(), AdapterWriteOptions.shards(shards)).write(adapters(levels), batch);
    }

    private static void copy(Path from, Path to, Configuration conf) {
        try {
            FileSystem fs = from.getFileSystem(conf);
            if (!fs.exists(from)) {
                throw new IllegalStateException("Cannot reuse " + from + " from the parent run: it does not exist");
            }
            FileSystem toFs = to.getFileSystem(conf);
            toFs.delete(to, true);
            toFs.mkdirs(to.getParent());
            if (!FileUtil.copy(fs, from, toFs, to, false, true, conf)) {
                throw new IOException("copy returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
