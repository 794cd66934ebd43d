package org.proper.eval.metrics;

import java.io.Serializable;

/** Precision, recall and F1 of one ROUGE variant on one example, as rouge-score's {@code Score} tuple. */
public record RougeScore(double precision, double recall, double f1) implements Serializable {
    public static final RougeScore ZERO = new RougeScore(0, 0, 0);

    /** rouge-score's {@code fmeasure}: harmonic mean, 0 where precision + recall is 0. */
    public static RougeScore of(double precision, double recall) {
        double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
        return new RougeScore(precision, recall, f1);
    }
}
