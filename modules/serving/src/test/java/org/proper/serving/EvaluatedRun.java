package org.proper.serving;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.proper.eval.metrics.Metric;
import org.proper.eval.report.Methods;
import org.proper.eval.report.MetricRow;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.run.RunLayout;

/** What a finished tiny run's evaluate stage saw and scored, read back from its tables for serving tests. */
final class EvaluatedRun {
    private EvaluatedRun() {}

    /** user → PROPER's accuracy on that user's queries, as the metrics table holds it. */
    static Map<String, Double> properAccuracyByUser(RunContext run) {
        Map<String, Double> evaluated = new LinkedHashMap<>();
        for (Row r : run.spark().read().parquet(run.layout().tableUri(RunLayout.METRICS))
                .where(col("method").equalTo(Methods.PROPER).and(col("scope").equalTo(MetricRow.USER))
                        .and(col("metric").equalTo(Metric.ACCURACY.id())))
                .select("user_id", "value").collectAsList()) {
            evaluated.put(r.getString(0), r.getDouble(1));
        }
        return evaluated;
    }

    /** user → (query input, gold answer) of the evaluated split, in item order. */
    static Map<String, List<String[]>> queriesByUser(RunContext run) {
        Map<String, List<String[]>> queries = new LinkedHashMap<>();
        for (Row r : run.spark().read().parquet(run.layout().tableUri(RunLayout.INTERACTIONS))
                .where(col("split").equalTo(run.config().getString("proper.eval.split")))
                .select("user_id", "input", "output").orderBy("user_id", "item_id").collectAsList()) {
            queries.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(new String[]{r.getString(1), r.getString(2)});
        }
        return queries;
    }
}
