package org.proper.pipeline.stages;

import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.common.ProperConfig;
import org.proper.data.ingest.Ingest;
import org.proper.data.ingest.IngestOptions;
import org.proper.data.ingest.IngestResult;
import org.proper.data.ingest.InputFormat;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.train.ArtifactStore;

/** ingest: input files -> interactions + quarantine tables of the run. */
public final class IngestStage implements Stage {
    public static final String TASK_MAPPING = "task-mapping";

    @Override
    public StageName name() {
        return StageName.INGEST;
    }

    static IngestOptions options(ProperConfig c, String runDir) {
        String task = c.getString("proper.data.task");
        InputFormat format = InputFormat.valueOf(c.getString("proper.data.format").toUpperCase(java.util.Locale.ROOT));
        return new IngestOptions(c.getString("proper.data.input"), format, runDir,
                "auto".equals(task) ? null : task, null, c.getInt("proper.data.max-text-chars"),
                IngestOptions.DEFAULT_INFERENCE_SAMPLE);
    }

    /**
     * With proper.data.until-run-date: the start (UTC) of the day after the run date, so the run reads the
     * interactions up to and including its run date; else null (everything).
     */
    static Long cutoffMs(RunContext ctx) {
        if (!ctx.config().getBoolean("proper.data.until-run-date")) return null;
        return ctx.runDate().plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    @Override
    public Map<String, Object> run(RunContext ctx) {
        IngestOptions options = options(ctx.config(), ctx.layout().root().toString());
        Long cutoff = cutoffMs(ctx);
        IngestResult r = Ingest.run(ctx.spark(), options.withCutoff(cutoff));
        new ArtifactStore(ctx.layout(), ctx.hadoopConf()).put(TASK_MAPPING, r.mapping());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("task", r.mapping().task());
        s.put("candidates", r.candidates());
        s.put("accepted", r.accepted());
        s.put("rows_by_split", r.rowsBySplit());
        s.put("quarantined", r.quarantined());
        s.put("quarantined_by_reason", r.quarantinedByReason());
        if (cutoff != null) {
            s.put("cutoff", java.time.Instant.ofEpochMilli(cutoff).toString());
            s.put("after_cutoff", r.afterCutoff());
        }
        s.put("users", r.users());
        s.put("items", r.items());
        return s;
    }
}
