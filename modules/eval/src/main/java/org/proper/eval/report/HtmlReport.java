package org.proper.eval.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.proper.eval.metrics.Metric;

/**
 * Writes a run's {@code report.html}: one self-contained page (inline CSS and SVG, no script, font or image from the
 * network) with cluster sizes and silhouette, a histogram of router weight entropy, training loss per stage, the
 * comparison tables and each metric by profile-length bucket per method. The report's data is also embedded as JSON
 * ({@code <script type="application/json" id="report-data">}) for machines; router entropies go there as a
 * histogram, so the page stays small however many users the run has. For millions of users, pass a sample of
 * entropies (10^5 draw the same histogram) to keep the driver's memory flat.
 */
public final class HtmlReport {
    static final int ENTROPY_BINS = 20;

    private HtmlReport() {
    }

    /** Writes the report atomically (temp file + move) and returns its path. */
    public static Path write(ReportData data, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".report", ".html.tmp");
            Files.writeString(temp, render(data), StandardCharsets.UTF_8);
            return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write report " + file + ": " + e.getMessage(), e);
        }
    }

    public static String render(ReportData data) {
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">")
                .append("<title>").append(Svg.escape(data.title())).append("</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fafafa}")
                .append("h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}")
                .append(".charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #ddd;background:#fff}")
                .append("table{border-collapse:collapse;font-size:12px;margin:8px 0}")
                .append("th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th:first-child,td:first-child{text-align:left}")
                .append("td.best{font-weight:bold;background:#e8f3e8}.empty{color:#888;font-style:italic}")
                .append("</style></head><body>\n");
        html.append("<h1>").append(Svg.escape(data.title())).append("</h1>\n");
        facts(html, data);
        clusters(html, data);
        routerEntropy(html, data);
        losses(html, data);
        comparison(html, data);
        byBucket(html, data);
        html.append("<script type=\"application/json\" id=\"report-data\">").append(json(data)).append("</script>\n");
        html.append("</body></html>\n");
        return html.toString();
    }

    private static void facts(StringBuilder html, ReportData data) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("run id", data.runId());
        facts.putAll(data.facts());
        html.append("<table class=\"facts\">");
        facts.forEach((key, value) -> html.append("<tr><th>").append(Svg.escape(key)).append("</th><td>")
                .append(Svg.escape(value)).append("</td></tr>"));
        html.append("</table>\n");
    }

    private static void clusters(StringBuilder html, ReportData data) {
        html.append("<h2 id=\"clusters\">Groups: cluster sizes and silhouette</h2>\n");
        html.append("<p>Silhouette of the chosen clustering: <b id=\"silhouette\">")
                .append(Double.isNaN(data.silhouette()) ? "unknown" : MarkdownTable.format(data.silhouette()))
                .append("</b>; groups: ").append(data.clusterSizes().size()).append("; users: ")
                .append(data.clusterSizes().stream().mapToLong(Long::longValue).sum()).append(".</p>\n");
        html.append("<div class=\"charts\">");
        if (data.clusterSizes().isEmpty()) {
            empty(html, "No cluster sizes in this run.");
        } else {
            List<String> labels = new ArrayList<>();
            List<Double> sizes = new ArrayList<>();
            for (int k = 0; k < data.clusterSizes().size(); k++) {
                labels.add(Integer.toString(k));
                sizes.add(data.clusterSizes().get(k).doubleValue());
            }
            html.append(SvgCharts.bars("chart-cluster-sizes", "Users per group", labels, sizes, "group id", "users"));
        }
        if (!data.silhouetteByK().isEmpty()) {
            List<String> labels = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            data.silhouetteByK().forEach((k, s) -> {
                labels.add("K=" + k);
                values.add(s);
            });
            html.append(SvgCharts.bars("chart-silhouette", "Silhouette by number of groups K", labels, values,
                    "K", "silhouette"));
        }
        html.append("</div>\n");
    }

    /** Upper end of the entropy axis: ln K (uniform mixture), or the largest value where K is unknown. */
    private static double maxEntropy(ReportData data) {
        int groups = data.clusterSizes().size();
        double max = groups > 1 ? Math.log(groups)
                : data.routerEntropies().stream().mapToDouble(Double::doubleValue).max().orElse(1.0);
        return max > 0 ? max : 1.0;
    }

    private static void routerEntropy(StringBuilder html, ReportData data) {
        double maxEntropy = maxEntropy(data);
        html.append("<h2 id=\"router\">Router weight entropy</h2>\n<p>Entropy (nats) of each user's group mixture; ")
                .append("0 = one group, ").append(MarkdownTable.format(maxEntropy))
                .append(" = uniform over all groups.</p>\n<div class=\"charts\">");
        if (data.routerEntropies().isEmpty()) {
            empty(html, "No router entropies in this run.");
        } else {
            html.append(SvgCharts.histogram("chart-router-entropy", "Router weight entropy ("
                    + data.routerEntropies().size() + " values)", data.routerEntropies(), 0, maxEntropy,
                    ENTROPY_BINS, "entropy (nats)"));
        }
        html.append("</div>\n");
    }

    private static void losses(StringBuilder html, ReportData data) {
        html.append("<h2 id=\"loss\">Training loss per stage</h2>\n<div class=\"charts\">");
        if (data.lossCurves().isEmpty()) {
            empty(html, "No loss curves in this run.");
        } else {
            html.append(SvgCharts.lines("chart-loss", "Training loss per stage", data.lossCurves(), "step", "loss"));
        }
        html.append("</div>\n");
    }

    private static void comparison(StringBuilder html, ReportData data) {
        html.append("<h2 id=\"comparison\">Comparison</h2>\n");
        if (data.tables().isEmpty()) {
            empty(html, "No comparison table in this run.");
        }
        for (ComparisonTable table : data.tables()) {
            html.append("<h3>").append(Svg.escape(table.dataset())).append("</h3>\n<p>Task ")
                    .append(Svg.escape(table.task().name())).append(" (").append(table.task().kind().contractName())
                    .append("), main metric ").append(table.mainMetric().label())
                    .append(table.mainMetric().higherIsBetter() ? " (higher is better)" : " (lower is better)")
                    .append("; buckets by training profile items per user.</p>\n");
            html.append("<table class=\"comparison\"><tr><th>method</th>");
            for (Metric metric : table.metrics()) {
                html.append("<th>").append(metric.label()).append("</th>");
            }
            html.append("<th>n</th>");
            for (ProfileBucket bucket : table.buckets()) {
                for (Metric metric : table.metrics()) {
                    html.append("<th>").append(metric.label()).append(' ').append(bucket.label()).append("</th>");
                }
            }
            html.append("</tr>");
            for (ComparisonTable.Row row : table.rows()) {
                html.append("<tr><td>").append(Svg.escape(row.method())).append("</td>");
                for (Metric metric : table.metrics()) {
                    cell(html, table, metric, null, row.overall().get(metric));
                }
                html.append("<td>").append(row.overall().n()).append("</td>");
                for (ProfileBucket bucket : table.buckets()) {
                    for (Metric metric : table.metrics()) {
                        cell(html, table, metric, bucket, row.bucket(bucket).get(metric));
                    }
                }
                html.append("</tr>");
            }
            html.append("</table>\n");
        }
    }

    private static void cell(StringBuilder html, ComparisonTable table, Metric metric, ProfileBucket bucket, double value) {
        double best = Double.NaN;
        for (ComparisonTable.Row row : table.rows()) {
            double v = bucket == null ? row.overall().get(metric) : row.bucket(bucket).get(metric);
            if (!Double.isNaN(v) && (Double.isNaN(best) || (metric.higherIsBetter() ? v > best : v < best))) {
                best = v;
            }
        }
        boolean isBest = table.rows().size() > 1 && !Double.isNaN(value) && value == best;
        html.append(isBest ? "<td class=\"best\">" : "<td>").append(MarkdownTable.format(value)).append("</td>");
    }

    private static void byBucket(StringBuilder html, ReportData data) {
        html.append("<h2 id=\"buckets\">Metric by profile-length bucket</h2>\n<div class=\"charts\">");
        if (data.tables().isEmpty()) {
            empty(html, "No comparison table in this run.");
        }
        int chart = 0;
        for (ComparisonTable table : data.tables()) {
            List<String> groups = new ArrayList<>(); // "1-4 (n=57)": the most examples any method has there
            for (ProfileBucket bucket : table.buckets()) {
                long n = table.rows().stream().mapToLong(r -> r.bucket(bucket).n()).max().orElse(0);
                groups.add(bucket.label() + " (n=" + n + ")");
            }
            List<String> methods = table.rows().stream().map(ComparisonTable.Row::method).toList();
            for (Metric metric : table.metrics()) {
                double[][] values = new double[methods.size()][groups.size()];
                for (int s = 0; s < methods.size(); s++) {
                    for (int g = 0; g < groups.size(); g++) {
                        values[s][g] = table.rows().get(s).bucket(table.buckets().get(g)).get(metric);
                    }
                }
                html.append(SvgCharts.groupedBars("chart-bucket-" + chart++, table.dataset() + ": " + metric.label()
                        + " by bucket", groups, methods, values, metric.label()));
            }
        }
        html.append("</div>\n");
    }

    private static void empty(StringBuilder html, String message) {
        html.append("<p class=\"empty\">").append(Svg.escape(message)).append("</p>");
    }

    private static String json(ReportData data) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("title", data.title());
        root.put("runId", data.runId());
        root.put("facts", data.facts());
        root.put("clusterSizes", data.clusterSizes());
        root.put("silhouette", finiteOrNull(data.silhouette()));
        Map<String, Object> byK = new LinkedHashMap<>();
        data.silhouetteByK().forEach((k, s) -> byK.put(Integer.toString(k), finiteOrNull(s)));
        root.put("silhouetteByK", byK);
        Map<String, Object> entropy = new LinkedHashMap<>(); // a histogram: the page stays small for millions of users
        entropy.put("count", data.routerEntropies().size());
        entropy.put("min", 0.0);
        entropy.put("max", maxEntropy(data));
        entropy.put("bins", SvgCharts.binCounts(data.routerEntropies(), 0, maxEntropy(data), ENTROPY_BINS));
        root.put("routerEntropyHistogram", entropy);
        Map<String, Object> curves = new LinkedHashMap<>();
        data.lossCurves().forEach((stage, losses) ->
                curves.put(stage, losses.stream().map(HtmlReport::finiteOrNull).toList()));
        root.put("lossCurves", curves);
        List<Map<String, Object>> metrics = new ArrayList<>();
        for (ComparisonTable table : data.tables()) {
            for (MetricRow row : table.toMetricRows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dataset", table.dataset());
                m.put("method", row.method());
                m.put("scope", row.scope());
                m.put("bucket", row.bucket());
                m.put("metric", row.metric());
                m.put("value", finiteOrNull(row.value()));
                m.put("n", row.n());
                metrics.add(m);
            }
        }
        root.put("metrics", metrics);
        try {
            return new ObjectMapper().writeValueAsString(root).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise report data of run '" + data.runId() + "'", e);
        }
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
