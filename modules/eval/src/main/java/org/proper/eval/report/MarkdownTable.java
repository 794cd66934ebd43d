package org.proper.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricValues;

/**
 * Renders comparison tables as Markdown: per data set a heading ({@code ## dataset}), then one table whose first column
 * is the method and second the task's main metric (accuracy, MAE or ROUGE-1), then the other overall metrics, the
 * number of scored examples n, and every metric per profile-length bucket. The best value of each column is bold
 * (highest, or lowest for MAE/RMSE). Values have 4 decimals; "–" marks a bucket without examples.
 */
public final class MarkdownTable {
    private MarkdownTable() {
    }

    public static String render(List<ComparisonTable> tables) {
        StringBuilder out = new StringBuilder();
        for (ComparisonTable table : tables) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(render(table));
        }
        return out.toString();
    }

    public static String render(ComparisonTable table) {
        List<String> header = new ArrayList<>();
        header.add("method");
        for (Metric metric : table.metrics()) {
            header.add(metric.label());
        }
        header.add("n");
        for (ProfileBucket bucket : table.buckets()) {
            for (Metric metric : table.metrics()) {
                header.add(metric.label() + " " + bucket.label());
            }
        }
        List<List<Double>> columns = new ArrayList<>(); // numeric metric columns, for the best-value marks
        List<List<String>> cells = new ArrayList<>();
        for (ComparisonTable.Row row : table.rows()) {
            List<String> line = new ArrayList<>();
            line.add(row.method());
            for (Metric metric : table.metrics()) {
                line.add(format(row.overall().get(metric)));
            }
            line.add(Long.toString(row.overall().n()));
            for (ProfileBucket bucket : table.buckets()) {
                MetricValues values = row.bucket(bucket);
                for (Metric metric : table.metrics()) {
                    line.add(format(values.get(metric)));
                }
            }
            cells.add(line);
        }
        List<Metric> columnMetrics = new ArrayList<>();
        List<Integer> columnIndexes = new ArrayList<>();
        int index = 1;
        for (Metric metric : table.metrics()) {
            columnMetrics.add(metric);
            columnIndexes.add(index++);
        }
        index++; // n
        for (ProfileBucket bucket : table.buckets()) {
            for (Metric metric : table.metrics()) {
                columnMetrics.add(metric);
                columnIndexes.add(index++);
            }
        }
        for (int c = 0; c < columnIndexes.size(); c++) {
            int column = columnIndexes.get(c);
            Metric metric = columnMetrics.get(c);
            double best = Double.NaN;
            for (List<String> line : cells) {
                double value = parse(line.get(column));
                if (!Double.isNaN(value) && (Double.isNaN(best)
                        || (metric.higherIsBetter() ? value > best : value < best))) {
                    best = value;
                }
            }
            if (cells.size() > 1 && !Double.isNaN(best)) {
                for (List<String> line : cells) {
                    if (parse(line.get(column)) == best) {
                        line.set(column, "**" + line.get(column) + "**");
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder();
        out.append("## ").append(table.dataset()).append("\n\n");
        out.append("Task `").append(table.task().name()).append("` (").append(table.task().kind().contractName())
                .append("); main metric ").append(table.mainMetric().label())
                .append(table.mainMetric().higherIsBetter() ? " (higher is better)" : " (lower is better)")
                .append(". Buckets: number of training profile items of the user.\n\n");
        appendLine(out, header);
        List<String> rule = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            rule.add(i == 0 ? "---" : "---:");
        }
        appendLine(out, rule);
        for (List<String> line : cells) {
            appendLine(out, line);
        }
        return out.toString();
    }

    static String format(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static double parse(String cell) {
        return "–".equals(cell) ? Double.NaN : Double.parseDouble(cell);
    }

    private static void appendLine(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell.replace("|", "\\|")).append(" |");
        }
        out.append('\n');
    }
}
