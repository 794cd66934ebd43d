package org.proper.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.proper.eval.metrics.ExampleScorer;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.eval.metrics.MetricValues;
import org.proper.eval.metrics.TaskSpec;

/**
 * Per-user rows (scope "user") of the {@code metrics} table: each (method, user)'s metrics over its scored examples,
 * with the user's bucket in the bucket column. For a Spark job, score per user on the executors with
 * {@link ExampleScorer} + {@link MetricAccumulator} and build the rows with {@link #rows}; this helper is for
 * in-memory result lists (benchmarks, tests).
 */
public final class UserMetricRows {
    private UserMetricRows() {
    }

    public static List<MetricRow> of(TaskSpec task, Iterable<ExampleResult> results) {
        ExampleScorer scorer = new ExampleScorer(task);
        Map<List<String>, MetricAccumulator> accumulators = new LinkedHashMap<>();
        Map<List<String>, ProfileBucket> buckets = new LinkedHashMap<>();
        for (ExampleResult result : results) {
            List<String> key = List.of(result.method(), result.userId());
            accumulators.computeIfAbsent(key, k -> new MetricAccumulator(task))
                    .add(scorer.score(result.gold(), result.prediction()));
            buckets.put(key, result.bucket());
        }
        List<MetricRow> out = new ArrayList<>();
        accumulators.forEach((key, accumulator) ->
                out.addAll(rows(key.get(0), key.get(1), buckets.get(key), task, accumulator.result())));
        return out;
    }

    /** The user-scope rows of one (method, user) aggregate. */
    public static List<MetricRow> rows(String method, String userId, ProfileBucket bucket, TaskSpec task,
                                       MetricValues values) {
        List<MetricRow> out = new ArrayList<>();
        for (Metric metric : task.metrics()) {
            out.add(new MetricRow(method, MetricRow.USER, bucket == null ? null : bucket.label(), userId, metric.id(),
                    values.get(metric), values.n()));
        }
        return out;
    }
}
