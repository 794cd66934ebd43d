package org.proper.eval.metrics;

import java.util.Locale;

/** The three LaMP task kinds; {@link #contractName()} is the value of the {@code kind} column of {@code interactions}. */
public enum TaskKind {
    CLASSIFICATION, RATING, GENERATION;

    public String contractName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the contract's value ("classification" | "rating" | "generation"). */
    public static TaskKind fromContractName(String name) {
        if (name != null) {
            for (TaskKind kind : values()) {
                if (kind.contractName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException(
                "Cannot parse task kind '" + name + "': expected classification, rating or generation");
    }
}
