package org.proper.pipeline;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs stages in order, skipping those already completed in this run (resume after an interruption) unless forced.
 * A stage is marked complete only after its outputs are committed.
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Map<StageName, Stage> stages = new EnumMap<>(StageName.class);

    public Pipeline(List<Stage> stages) {
        for (Stage s : stages) this.stages.put(s.name(), s);
    }

    /** @return the summaries of the stages that ran now (skipped ones are absent) */
    public Map<String, Map<String, Object>> run(RunContext ctx, List<StageName> which, boolean force) throws Exception {
        Map<String, Map<String, Object>> ran = new LinkedHashMap<>();
        for (StageName name : which) {
            Stage stage = stages.get(name);
            if (stage == null) throw new IllegalStateException("No implementation registered for stage " + name.cliName());
            if (!force && ctx.markers().isComplete(name.cliName())) {
                LOG.info("Stage {} already completed in run {}: skipped (use --force to redo it)", name.cliName(), ctx.runId());
                continue;
            }
            if (force) ctx.markers().clear(name.cliName());
            LOG.info("Stage {}: {} (run {})", name.cliName(), name.description(), ctx.runId());
            ctx.spark().sparkContext().setJobGroup("proper-" + name.cliName(), name.description() + " [run " + ctx.runId() + "]", false);
            long t0 = System.nanoTime();
            Map<String, Object> summary = new LinkedHashMap<>(stage.run(ctx));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            summary.put("wall_ms", ms);
            StageSummaries.write(ctx, name, summary);
            ctx.markers().markComplete(name.cliName());
            ctx.spark().sparkContext().clearJobGroup();
            LOG.info("Stage {} done in {} s: {}", name.cliName(), String.format("%.1f", ms / 1000.0), summary);
            ran.put(name.cliName(), summary);
        }
        return ran;
    }
}
