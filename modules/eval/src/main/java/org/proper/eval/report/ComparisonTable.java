package org.proper.eval.report;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricValues;
import org.proper.eval.metrics.TaskSpec;

/**
 * The comparison of methods on one data set: rows = methods (in {@link Methods#TABLE_ORDER}), columns = the task's
 * metrics overall and per profile-length bucket. Build it with {@link ComparisonTableBuilder}; render it with
 * {@link MarkdownTable} and {@link HtmlReport}; store it with {@link #toMetricRows()}.
 *
 * @param dataset name of the data set (heading of its section)
 * @param task    the task the rows were scored on
 * @param buckets the bucket columns: {@link ProfileBucket#STANDARD}, preceded by {@link ProfileBucket#COLD} when
 *                cold-start users were scored
 * @param rows    one row per method
 */
public record ComparisonTable(String dataset, TaskSpec task, List<ProfileBucket> buckets, List<Row> rows)
        implements Serializable {

    /** One method's metrics overall and per bucket (a bucket without examples maps to NaN values with n = 0). */
    public record Row(String method, MetricValues overall, Map<ProfileBucket, MetricValues> byBucket)
            implements Serializable {
        public Row {
            Objects.requireNonNull(method, "Cannot create table row: method is null");
            Objects.requireNonNull(overall, "Cannot create table row of '" + method + "': overall is null");
            byBucket = Collections.unmodifiableMap(byBucket.isEmpty()
                    ? new EnumMap<>(ProfileBucket.class) : new EnumMap<>(byBucket));
        }

        public MetricValues bucket(ProfileBucket bucket) {
            MetricValues values = byBucket.get(bucket);
            return values == null ? new MetricValues(Map.of(), 0) : values;
        }
    }

    public ComparisonTable {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("Cannot create comparison table: dataset is blank");
        }
        Objects.requireNonNull(task, "Cannot create comparison table '" + dataset + "': task is null");
        buckets = List.copyOf(buckets);
        rows = List.copyOf(rows);
    }

    public List<Metric> metrics() {
        return task.metrics();
    }

    public Metric mainMetric() {
        return task.mainMetric();
    }

    /** The row of a method, or null. */
    public Row row(String method) {
        return rows.stream().filter(r -> r.method().equals(method)).findFirst().orElse(null);
    }

    /** Overall and per-bucket rows for the run's {@code metrics} table (buckets without examples are left out). */
    public List<MetricRow> toMetricRows() {
        List<MetricRow> out = new ArrayList<>();
        for (Row row : rows) {
            for (Metric metric : metrics()) {
                out.add(new MetricRow(row.method(), MetricRow.OVERALL, null, null, metric.id(),
                        row.overall().get(metric), row.overall().n()));
            }
            for (ProfileBucket bucket : buckets) {
                MetricValues values = row.bucket(bucket);
                if (values.n() == 0) {
                    continue;
                }
                for (Metric metric : metrics()) {
                    out.add(new MetricRow(row.method(), MetricRow.BUCKET, bucket.label(), null, metric.id(),
                            values.get(metric), values.n()));
                }
            }
        }
        return out;
    }

    /**
     * Rebuilds a table from rows of the {@code metrics} table (overall and bucket scopes; user rows are ignored), e.g.
     * to render the report of a finished run.
     */
    public static ComparisonTable fromMetricRows(String dataset, TaskSpec task, List<MetricRow> metricRows) {
        Map<String, Map<Metric, Double>> overall = new java.util.TreeMap<>(Methods.TABLE_ORDER);
        Map<String, Long> overallN = new java.util.HashMap<>();
        Map<String, Map<ProfileBucket, Map<Metric, Double>>> bucketValues = new java.util.HashMap<>();
        Map<String, Map<ProfileBucket, Long>> bucketN = new java.util.HashMap<>();
        boolean cold = false;
        for (MetricRow metricRow : metricRows) {
            Metric metric = metricById(metricRow.metric());
            if (metric == null || !task.metrics().contains(metric) || MetricRow.USER.equals(metricRow.scope())) {
                continue;
            }
            overall.computeIfAbsent(metricRow.method(), m -> new EnumMap<>(Metric.class));
            if (MetricRow.OVERALL.equals(metricRow.scope())) {
                overall.get(metricRow.method()).put(metric, metricRow.value());
                overallN.put(metricRow.method(), metricRow.n());
            } else {
                ProfileBucket bucket = ProfileBucket.fromLabel(metricRow.bucket());
                cold |= bucket == ProfileBucket.COLD;
                bucketValues.computeIfAbsent(metricRow.method(), m -> new EnumMap<>(ProfileBucket.class))
                        .computeIfAbsent(bucket, b -> new EnumMap<>(Metric.class)).put(metric, metricRow.value());
                bucketN.computeIfAbsent(metricRow.method(), m -> new EnumMap<>(ProfileBucket.class))
                        .put(bucket, metricRow.n());
            }
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, Map<Metric, Double>> entry : overall.entrySet()) {
            String method = entry.getKey();
            Map<ProfileBucket, MetricValues> byBucket = new EnumMap<>(ProfileBucket.class);
            bucketValues.getOrDefault(method, Map.of()).forEach((bucket, values) ->
                    byBucket.put(bucket, new MetricValues(values, bucketN.get(method).get(bucket))));
            rows.add(new Row(method, new MetricValues(entry.getValue(), overallN.getOrDefault(method, 0L)), byBucket));
        }
        return new ComparisonTable(dataset, task, bucketColumns(cold), rows);
    }

    static List<ProfileBucket> bucketColumns(boolean withCold) {
        List<ProfileBucket> buckets = new ArrayList<>();
        if (withCold) {
            buckets.add(ProfileBucket.COLD);
        }
        buckets.addAll(ProfileBucket.STANDARD);
        return buckets;
    }

    private static Metric metricById(String id) {
        for (Metric metric : Metric.values()) {
            if (metric.id().equals(id)) {
                return metric;
            }
        }
        return null;
    }
}
