package org.proper.eval.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/** Aggregated metric values over n examples (values are NaN where n = 0). */
public record MetricValues(Map<Metric, Double> values, long n) implements Serializable {
    public MetricValues {
        if (n < 0) {
            throw new IllegalArgumentException("Cannot create metric values: n is negative: " + n);
        }
        values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(Metric.class) : new EnumMap<>(values));
    }

    /** The value of a metric, NaN if it was not computed or there were no examples. */
    public double get(Metric metric) {
        return values.getOrDefault(metric, Double.NaN);
    }
}
