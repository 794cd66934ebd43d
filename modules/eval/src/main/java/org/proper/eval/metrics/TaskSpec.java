package org.proper.eval.metrics;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * What the scorer needs to know about a task: its kind, its label set (classification) or rating range (rating).
 * Immutable and validated; build with {@link #classification}, {@link #rating} or {@link #generation}.
 *
 * @param name        task name, e.g. "commit-component" (for error messages and reports)
 * @param kind        classification, rating or generation
 * @param labels      the label set in the task's order (classification only; empty otherwise)
 * @param minRating   lowest valid rating (rating only; NaN otherwise)
 * @param maxRating   highest valid rating (rating only; NaN otherwise)
 */
public record TaskSpec(String name, TaskKind kind, List<String> labels, double minRating, double maxRating)
        implements Serializable {

    public TaskSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Cannot create task spec: name is blank");
        }
        Objects.requireNonNull(kind, "Cannot create task spec '" + name + "': kind is null");
        labels = labels == null ? List.of() : List.copyOf(labels);
        switch (kind) {
            case CLASSIFICATION -> {
                if (labels.isEmpty()) {
                    throw new IllegalArgumentException("Cannot create task spec '" + name + "': labels is empty");
                }
                if (new LinkedHashSet<>(labels).size() != labels.size()) {
                    throw new IllegalArgumentException(
                            "Cannot create task spec '" + name + "': labels has duplicates: " + labels);
                }
                for (String label : labels) {
                    if (label.isBlank() || !label.equals(label.strip())) {
                        throw new IllegalArgumentException("Cannot create task spec '" + name
                                + "': label '" + label + "' is blank or has surrounding whitespace");
                    }
                }
            }
            case RATING -> {
                if (!Double.isFinite(minRating) || !Double.isFinite(maxRating) || minRating >= maxRating) {
                    throw new IllegalArgumentException("Cannot create task spec '" + name
                            + "': rating range [" + minRating + ", " + maxRating + "] is not a finite, non-empty range");
                }
                if (!labels.isEmpty()) {
                    throw new IllegalArgumentException("Cannot create task spec '" + name + "': a rating task has no labels");
                }
            }
            case GENERATION -> {
                if (!labels.isEmpty()) {
                    throw new IllegalArgumentException(
                            "Cannot create task spec '" + name + "': a generation task has no labels");
                }
            }
        }
    }

    public static TaskSpec classification(String name, List<String> labels) {
        return new TaskSpec(name, TaskKind.CLASSIFICATION, labels, Double.NaN, Double.NaN);
    }

    public static TaskSpec rating(String name, double minRating, double maxRating) {
        return new TaskSpec(name, TaskKind.RATING, List.of(), minRating, maxRating);
    }

    public static TaskSpec generation(String name) {
        return new TaskSpec(name, TaskKind.GENERATION, List.of(), Double.NaN, Double.NaN);
    }

    public List<Metric> metrics() {
        return Metric.of(kind);
    }

    public Metric mainMetric() {
        return Metric.main(kind);
    }
}
