package org.proper.eval.report;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.proper.eval.metrics.ExampleScorer;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.eval.metrics.MetricValues;
import org.proper.eval.metrics.TaskSpec;

/**
 * Collects scored examples into a {@link ComparisonTable}. Either feed it {@link ExampleResult}s ({@link #add}) or,
 * when scoring ran elsewhere (a Spark {@code aggregateByKey} over (method, bucket)), the partial accumulators
 * ({@link #merge}). Memory grows with methods × buckets, not with examples. The builder is serializable and
 * mergeable, so a Spark job can fill one per partition and combine them:
 * <pre>{@code
 * ComparisonTable table = results.javaRDD()   // JavaRDD<ExampleResult>
 *     .mapPartitions(it -> { var b = new ComparisonTableBuilder(name, task); it.forEachRemaining(b::add); return List.of(b).iterator(); })
 *     .treeReduce(ComparisonTableBuilder::merge)
 *     .build();
 * }</pre>
 */
public final class ComparisonTableBuilder implements Serializable {
    private final String dataset;
    private final TaskSpec task;
    private final ExampleScorer scorer;
    private final Map<String, Map<ProfileBucket, MetricAccumulator>> accumulators = new HashMap<>();

    public ComparisonTableBuilder(String dataset, TaskSpec task) {
        this(dataset, new ExampleScorer(task));
    }

    /** A builder scoring with the given scorer (e.g. one with ROUGE stemming). */
    public ComparisonTableBuilder(String dataset, ExampleScorer scorer) {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("Cannot build comparison table: dataset is blank");
        }
        this.dataset = dataset;
        this.task = scorer.task();
        this.scorer = scorer;
    }

    public ComparisonTableBuilder add(ExampleResult result) {
        accumulator(result.method(), result.bucket()).add(scorer.score(result.gold(), result.prediction()));
        return this;
    }

    public ComparisonTableBuilder addAll(Iterable<ExampleResult> results) {
        for (ExampleResult result : results) {
            add(result);
        }
        return this;
    }

    /** Merges a partial aggregate of one method's examples in one bucket. */
    public ComparisonTableBuilder merge(String method, ProfileBucket bucket, MetricAccumulator partial) {
        accumulator(method, bucket).merge(partial);
        return this;
    }

    /** Adds everything the other builder (same data set and task) collected; returns this. */
    public ComparisonTableBuilder merge(ComparisonTableBuilder other) {
        if (!other.dataset.equals(dataset) || !other.task.equals(task)) {
            throw new IllegalArgumentException("Cannot merge the table builder of '" + other.dataset + "' (task '"
                    + other.task.name() + "') into that of '" + dataset + "' (task '" + task.name() + "')");
        }
        other.accumulators.forEach((method, buckets) -> buckets.forEach((bucket, partial) -> merge(method, bucket, partial)));
        return this;
    }

    public ComparisonTable build() {
        boolean cold = accumulators.values().stream().anyMatch(b -> b.containsKey(ProfileBucket.COLD));
        List<ComparisonTable.Row> rows = new ArrayList<>();
        List<String> methods = new ArrayList<>(accumulators.keySet());
        methods.sort(Methods.TABLE_ORDER);
        for (String method : methods) {
            MetricAccumulator overall = new MetricAccumulator(task);
            Map<ProfileBucket, MetricValues> byBucket = new EnumMap<>(ProfileBucket.class);
            for (Map.Entry<ProfileBucket, MetricAccumulator> bucket : accumulators.get(method).entrySet()) {
                overall.merge(bucket.getValue());
                byBucket.put(bucket.getKey(), bucket.getValue().result());
            }
            rows.add(new ComparisonTable.Row(method, overall.result(), byBucket));
        }
        return new ComparisonTable(dataset, task, ComparisonTable.bucketColumns(cold), rows);
    }

    /** Convenience: the table of a list of results. */
    public static ComparisonTable of(String dataset, TaskSpec task, Iterable<ExampleResult> results) {
        return new ComparisonTableBuilder(dataset, task).addAll(results).build();
    }

    private MetricAccumulator accumulator(String method, ProfileBucket bucket) {
        return accumulators.computeIfAbsent(method, m -> new EnumMap<>(ProfileBucket.class))
                .computeIfAbsent(bucket, b -> new MetricAccumulator(task));
    }
}
