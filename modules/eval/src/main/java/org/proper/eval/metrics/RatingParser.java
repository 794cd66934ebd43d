package org.proper.eval.metrics;

import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Reads a rating answer. An answer is numeric when, after stripping surrounding whitespace, it is a finite decimal
 * number ("4", " 4.0 ", "+3.5", "2e0"); anything else ("four", "4 stars", "", "NaN", "inf") is non-numeric. A numeric
 * answer outside the task's range is kept as it is, as LaMP's evaluation does.
 */
public final class RatingParser {
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private RatingParser() {
    }

    public static OptionalDouble parse(String answer) {
        if (answer == null) {
            return OptionalDouble.empty();
        }
        String stripped = answer.strip();
        if (!DECIMAL.matcher(stripped).matches()) {
            return OptionalDouble.empty();
        }
        double value = Double.parseDouble(stripped);
        return Double.isFinite(value) ? OptionalDouble.of(value) : OptionalDouble.empty();
    }

    /**
     * The rating a non-numeric answer counts as: the end of the range farthest from the gold (the maximum on a tie,
     * as LaMP's {@code create_mapping}).
     */
    public static double farthestFrom(double gold, TaskSpec task) {
        return Math.abs(task.minRating() - gold) > Math.abs(task.maxRating() - gold) ? task.minRating() : task.maxRating();
    }
}
