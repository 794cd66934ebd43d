package org.proper.pipeline.stages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.proper.model.lm.BaseModel;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.Stage;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.incremental.IncrementalPlan;
import org.proper.pipeline.io.AdapterTableReader;
import org.proper.pipeline.run.ManifestWriter;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * publish: verifies every adapter tensor against its sha256, writes the HTML report, then writes _manifest.json
 * LAST — the run becomes visible to serving only then.
 */
public final class PublishStage implements Stage {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public StageName name() {
        return StageName.PUBLISH;
    }

    @Override
    public Map<String, Object> run(RunContext ctx) throws Exception {
        long verified = new AdapterTableReader(ctx.spark()).verifyAll(ctx.layout().tableUri(RunLayout.ADAPTERS));
        Map<String, Map<String, Object>> stages = StageSummaries.readAll(ctx);
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        Path report = RunReportWriter.write(ctx, stages);
        writeExports(ctx);

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("run_date", ctx.runDate().toString());
        IncrementalPlan plan = IncrementalPlan.load(ctx);
        manifest.put("parent_run_id", plan.parentRunId());
        manifest.put("created_at", java.time.Instant.now().toString());
        manifest.put("config", JSON.readValue(ctx.config().toJson(), Map.class));
        manifest.put("config_sha256", ctx.config().sha256());
        manifest.put("base_model_fingerprint", store.get(PopulationStage.BASE, BaseModel.class).fingerprint());
        manifest.put("code_version", codeVersion());
        manifest.put("input_fingerprint", inputFingerprint(ctx));
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("adapter_tensors", verified);
        for (String table : List.of(RunLayout.INTERACTIONS, RunLayout.QUARANTINE, RunLayout.USER_EMBEDDINGS,
                RunLayout.USER_GROUPS, RunLayout.METRICS)) {
            counts.put(table, ctx.spark().read().parquet(ctx.layout().tableUri(table)).count());
        }
        manifest.put("counts", counts);
        Map<String, Object> timings = new LinkedHashMap<>();
        stages.forEach((name, sum) -> timings.put(name, sum.get("wall_ms")));
        manifest.put("timings_ms", timings);
        List<String> completed = new ArrayList<>(stages.keySet());
        completed.add(name().cliName());
        manifest.put("stages", completed);
        manifest.put("stage_summaries", stages);
        Map<String, Map<String, Object>> eval = stages.containsKey(StageName.EVALUATE.cliName())
                ? Map.of("evaluate", stages.get(StageName.EVALUATE.cliName())) : Map.of();
        manifest.put("metrics_summary", eval.isEmpty() ? Map.of() : eval.get("evaluate").get("by_method"));
        manifest.put("retrained", retrained(plan, stages));
        manifest.put("report", report.toString());
        new ManifestWriter(ctx.layout(), ctx.hadoopConf()).write(manifest);

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("adapter_tensors_verified", verified);
        s.put("manifest", ctx.layout().manifest().toString());
        return s;
    }

    /**
     * What this run retrained and why (population, groups with the drift, users with counts), from the run's plan and
     * the user stage's summary.
     */
    static Map<String, Object> retrained(IncrementalPlan plan, Map<String, Map<String, Object>> stages) {
        Map<String, Object> r = new LinkedHashMap<>(plan.toManifest());
        Map<String, Object> users = stages.get(StageName.TRAIN_USERS.cliName());
        r.put("users", users == null ? null : users.get("retrained"));
        return r;
    }

    /** Users whose embeddings are exported for the notebook's plot (bounded, like the report's sample). */
    static final int EXPORT_EMBEDDINGS = 20_000;

    /**
     * JSON Lines copies under exports/ of the tables the run notebook plots (notebooks/proper_run.ipynb reads them where
     * no Python Parquet engine is installed, e.g. Debian bookworm).
     */
    static void writeExports(RunContext ctx) {
        String exports = new Path(ctx.layout().root(), "exports").toString();
        for (String table : List.of(RunLayout.METRICS, RunLayout.USER_GROUPS)) {
            ctx.spark().read().parquet(ctx.layout().tableUri(table)).coalesce(1).write().mode("overwrite").json(exports + "/" + table);
        }
        ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).limit(EXPORT_EMBEDDINGS).coalesce(1)
                .write().mode("overwrite").json(exports + "/" + RunLayout.USER_EMBEDDINGS);
    }

    static String codeVersion() {
        String v = PublishStage.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /** sha256 over (relative path, length, modification time) of every input file. */
    static String inputFingerprint(RunContext ctx) throws IOException {
        Path input = new Path(ctx.config().getString("proper.data.input"));
        FileSystem fs = input.getFileSystem(ctx.hadoopConf());
        TreeMap<String, String> files = new TreeMap<>();
        FileStatus root = fs.getFileStatus(input);
        if (root.isFile()) {
            files.put(input.getName(), root.getLen() + ":" + root.getModificationTime());
        } else {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(input, true);
            String prefix = fs.makeQualified(input).toString();
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                files.put(f.getPath().toString().substring(prefix.length()), f.getLen() + ":" + f.getModificationTime());
            }
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            files.forEach((k, v) -> md.update((k + "\t" + v + "\n").getBytes(StandardCharsets.UTF_8)));
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
