package org.proper.eval.metrics;

import java.io.Serializable;

/**
 * The score of one (gold, prediction) pair; what {@link MetricAccumulator} sums up. Fields that do not apply to the
 * task kind are null / NaN.
 *
 * @param kind           task kind
 * @param goldLabel      the gold label (classification only)
 * @param predictedLabel the prediction as a label of the set, or null when it is outside the set (classification only)
 * @param correct        prediction equals gold (classification only; false otherwise)
 * @param absoluteError  |prediction − gold| after the non-numeric rule (rating only)
 * @param rouge1         ROUGE-1 (generation only)
 * @param rougeL         ROUGE-L (generation only)
 */
public record ExampleScore(TaskKind kind, String goldLabel, String predictedLabel, boolean correct,
                           double absoluteError, RougeScore rouge1, RougeScore rougeL) implements Serializable {

    /**
     * This example's value of a metric: accuracy 1 or 0, MAE and RMSE the absolute error, ROUGE the F1. Macro-F1 has
     * no per-example value (it needs the whole confusion matrix) and answers NaN.
     */
    public double value(Metric metric) {
        return switch (metric) {
            case ACCURACY -> correct ? 1.0 : 0.0;
            case MACRO_F1 -> Double.NaN;
            case MAE, RMSE -> absoluteError;
            case ROUGE_1 -> rouge1 == null ? Double.NaN : rouge1.f1();
            case ROUGE_L -> rougeL == null ? Double.NaN : rougeL.f1();
        };
    }
}
