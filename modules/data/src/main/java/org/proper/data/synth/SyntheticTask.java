package org.proper.data.synth;

import java.util.Locale;

/** Which task the synthetic users perform; each maps to a predefined task mapping (synthetic-tagging, ...). */
public enum SyntheticTask {
    TAGGING("synthetic-tagging"), RATING("synthetic-rating"), GENERATION("synthetic-generation");

    private final String taskName;

    SyntheticTask(String taskName) {
        this.taskName = taskName;
    }

    public String taskName() {
        return taskName;
    }

    public static SyntheticTask parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot parse option 'task' = '" + value + "': expected tagging, rating or generation");
        }
    }
}
