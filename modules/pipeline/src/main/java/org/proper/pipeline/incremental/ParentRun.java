package org.proper.pipeline.incremental;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunIds;
import org.proper.pipeline.run.RunLayout;

/**
 * A published run a nightly run builds on (proper.incremental.parent-run / --parent-run): its layout, run date and
 * manifest. Only published runs (with a {@code _manifest.json}) can be parents.
 */
public record ParentRun(RunLayout layout, LocalDate runDate, Map<String, Object> manifest) {
    public static final String LATEST = "latest";

    public String runId() {
        return layout.runId();
    }

    /**
     * Resolves proper.incremental.parent-run: "" = none; "latest" = the newest published run of the warehouse whose
     * run date is before this run's (ties: the greatest run id), none if there is none; else the named run, which must
     * be published and must not be this run.
     */
    public static Optional<ParentRun> resolve(RunContext ctx) {
        String id = ctx.config().getString("proper.incremental.parent-run");
        if (id.isEmpty()) return Optional.empty();
        Configuration conf = ctx.hadoopConf();
        if (LATEST.equals(id)) return latest(ctx.layout(), ctx.runDate(), conf);
        if (id.equals(ctx.runId())) {
            throw new IllegalArgumentException("Cannot use run " + id + " as its own parent (proper.incremental.parent-run)");
        }
        RunLayout layout = RunLayout.of(ctx.layout().warehouse(), id);
        if (!new ManifestWriter(layout, conf).isPublished()) {
            throw new IllegalStateException("Cannot use run " + id + " as parent (proper.incremental.parent-run): it is not "
                    + "published (no " + layout.manifest() + ")");
        }
        return Optional.of(of(layout, conf));
    }

    static ParentRun of(RunLayout layout, Configuration conf) {
        Map<String, Object> manifest = ManifestWriter.read(layout, conf);
        return new ParentRun(layout, LocalDate.parse(String.valueOf(manifest.get("run_date"))), manifest);
    }

    private static Optional<ParentRun> latest(RunLayout self, LocalDate before, Configuration conf) {
        FileSystem fs = self.fileSystem(conf);
        ParentRun best = null;
        try {
            if (!fs.exists(self.runsDir())) return Optional.empty();
            for (FileStatus dir : fs.listStatus(self.runsDir(), p -> !p.getName().startsWith("_") && !p.getName().startsWith("."))) {
                String id = dir.getPath().getName();
                if (!dir.isDirectory() || id.equals(self.runId()) || !RunIds.isValid(id)) continue;
                RunLayout layout = RunLayout.of(self.warehouse(), id);
                if (!new ManifestWriter(layout, conf).isPublished()) continue;
                ParentRun candidate = of(layout, conf);
                if (!candidate.runDate().isBefore(before)) continue;
                if (best == null || candidate.runDate().isAfter(best.runDate())
                        || (candidate.runDate().equals(best.runDate()) && id.compareTo(best.runId()) > 0)) {
                    best = candidate;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list runs of " + self.runsDir() + ": " + e.getMessage(), e);
        }
        return Optional.ofNullable(best);
    }

    /** The parent's configuration section (e.g. "train") as published in its manifest, or null. */
    @SuppressWarnings("unchecked")
    Object configSection(String section) {
        Object config = manifest.get("config");
        if (!(config instanceof Map<?, ?> c)) return null;
        Object proper = c.containsKey("proper") ? c.get("proper") : c;
        return proper instanceof Map<?, ?> p ? ((Map<String, Object>) p).get(section) : null;
    }

    /** The run whose groups the parent used and its run date (the parent itself for runs published before plans). */
    @SuppressWarnings("unchecked")
    Map.Entry<String, LocalDate> groupsTrained() {
        Object retrained = manifest.get("retrained");
        if (retrained instanceof Map<?, ?> r && r.get("groups") instanceof Map<?, ?> g
                && g.get("trained_in_run") != null && g.get("trained_on") != null) {
            Map<String, Object> groups = (Map<String, Object>) g;
            return Map.entry(String.valueOf(groups.get("trained_in_run")), LocalDate.parse(String.valueOf(groups.get("trained_on"))));
        }
        return Map.entry(runId(), runDate);
    }
}
