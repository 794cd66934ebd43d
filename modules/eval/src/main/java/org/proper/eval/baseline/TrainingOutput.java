package org.proper.eval.baseline;

import java.io.Serializable;
import java.util.Comparator;

/**
 * One training answer of a user, from the {@code interactions} table (split = train): user_id, output, timestamp
 * (epoch millis, null if unknown), position (record index in its source file).
 */
public record TrainingOutput(String userId, String output, Long timestamp, long position) implements Serializable {
    /** Oldest first: by timestamp (unknown timestamps first), then by position. */
    public static final Comparator<TrainingOutput> CHRONOLOGICAL = Comparator
            .comparing(TrainingOutput::timestamp, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(TrainingOutput::position);

    public TrainingOutput {
        if (userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("Cannot create training output: user_id is blank");
        }
        if (output == null) {
            throw new IllegalArgumentException("Cannot create training output of user '" + userId + "': output is null");
        }
    }
}
