package org.proper.data.task;

import java.util.Locale;

/**
 * What the answer of a task is: one label of a closed set (classification, scored by accuracy/macro-F1), an integer
 * in a range (rating, MAE/RMSE) or free text (generation, ROUGE). The label set and rating range live in
 * {@link TaskMapping}.
 */
public enum TaskKind {
    CLASSIFICATION, RATING, GENERATION;

    /** The value stored in the interactions table's {@code kind} column. */
    public String tableValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static TaskKind fromTableValue(String value) {
        for (TaskKind k : values()) {
            if (k.tableValue().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("Cannot parse task kind '" + value + "': expected classification, rating or generation");
    }
}
