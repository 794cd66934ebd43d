package org.proper.pipeline.stages;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.HtmlReport;
import org.proper.eval.report.ReportData;
import org.proper.model.method.GroupExperts;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.run.AtomicFiles;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.train.ArtifactStore;

/** Gathers a run's plots (clusters, router entropy, loss per stage, comparison) into report.html. */
final class RunReportWriter {
    /** Router entropy is plotted for a bounded sample of users, so the driver's memory does not grow with users. */
    static final int ENTROPY_SAMPLE = 5_000;

    private RunReportWriter() {}

    static Path write(RunContext ctx, Map<String, Map<String, Object>> stages) {
        ArtifactStore store = new ArtifactStore(ctx.layout(), ctx.hadoopConf());
        ClusterSummary clusters = store.has(ClusterStage.SUMMARY_ARTIFACT)
                ? store.get(ClusterStage.SUMMARY_ARTIFACT, ClusterSummary.class) : null;
        GroupExperts experts = store.has(GroupStage.EXPERTS) ? store.get(GroupStage.EXPERTS, GroupExperts.class) : null;
        List<ComparisonTable> tables = store.has(EvaluateStage.TABLE_ARTIFACT)
                ? List.of(store.get(EvaluateStage.TABLE_ARTIFACT, ComparisonTable.class)) : List.of();

        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("run", ctx.runId());
        facts.put("config sha256", ctx.config().sha256());
        facts.put("input", ctx.config().getString("proper.data.input"));
        Map<String, Object> ingest = stages.get("ingest");
        if (ingest != null) {
            facts.put("users", String.valueOf(ingest.get("users")));
            facts.put("accepted rows", String.valueOf(ingest.get("accepted")));
            facts.put("quarantined rows", String.valueOf(ingest.get("quarantined")));
        }
        Map<String, Object> pop = stages.get("train-population");
        if (pop != null) facts.put("base model", String.valueOf(pop.get("base_model")));
        Map<String, Object> cluster = stages.get("cluster");
        if (cluster != null && cluster.get("ari_vs_planted") instanceof Number ari) {
            facts.put("groups vs planted groups (adjusted Rand index)", String.format(java.util.Locale.ROOT, "%.3f", ari.doubleValue()));
        }

        Map<String, List<Double>> loss = new LinkedHashMap<>();
        addLoss(loss, "pretrain (base)", pop, "pretrain_loss");
        addLoss(loss, "population (per round)", pop, "loss");
        addLoss(loss, "group joint (per round)", stages.get("train-groups"), "loss");

        List<Long> sizes = clusters == null ? List.of() : Arrays.stream(clusters.sizes()).boxed().toList();
        double silhouette = clusters == null ? Double.NaN : clusters.silhouette();
        TreeMap<Integer, Double> byK = clusters == null ? new TreeMap<>() : new TreeMap<>(clusters.silhouetteByK());
        ReportData data = new ReportData("PROPER run " + ctx.runId(), ctx.runId(), facts, sizes, silhouette, byK,
                experts == null ? List.of() : routerEntropies(ctx, experts), loss, tables);
        Path out = new Path(ctx.layout().root(), "report.html");
        AtomicFiles.writeFile(out, HtmlReport.render(data).getBytes(StandardCharsets.UTF_8), ctx.hadoopConf());
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void addLoss(Map<String, List<Double>> loss, String name, Map<String, Object> summary, String key) {
        if (summary == null || !(summary.get(key) instanceof List<?> l) || l.isEmpty()) return;
        List<Double> d = new ArrayList<>();
        for (Object o : l) if (o instanceof Number n && Double.isFinite(n.doubleValue())) d.add(n.doubleValue());
        if (!d.isEmpty()) loss.put(name, d);
    }

    /** Entropy (nats) of g(u) = softmax(−‖e_u − c_k‖² / τ), the user part of the user-aware router (DESIGN §2). */
    static List<Double> routerEntropies(RunContext ctx, GroupExperts experts) {
        float[] c = experts.centroids().data();
        int k = experts.k(), dim = experts.embeddingDim();
        double tau = experts.tau();
        List<Row> rows = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS))
                .select("embedding").limit(ENTROPY_SAMPLE).collectAsList();
        List<Double> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            List<Float> e = r.getList(0);
            if (e.size() != dim) continue;
            double[] logits = new double[k];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) {
                double d = 0;
                for (int i = 0; i < dim; i++) {
                    double x = e.get(i) - c[j * dim + i];
                    d += x * x;
                }
                logits[j] = -d / tau;
                max = Math.max(max, logits[j]);
            }
            double z = 0;
            for (int j = 0; j < k; j++) z += Math.exp(logits[j] - max);
            double h = 0;
            for (int j = 0; j < k; j++) {
                double p = Math.exp(logits[j] - max) / z;
                if (p > 0) h -= p * Math.log(p);
            }
            out.add(Math.max(0, h));
        }
        return out;
    }
}
