package org.proper.eval.report;

import java.util.List;

/**
 * Profile-length buckets: a user's bucket is its number of training profile items. {@link #COLD} (0 items: a
 * cold-start user served from its embedding only) is reported only where such users exist.
 */
public enum ProfileBucket {
    COLD("0", 0, 0),
    SPARSE("1-4", 1, 4),
    SMALL("5-19", 5, 19),
    MEDIUM("20-99", 20, 99),
    LARGE("100+", 100, Integer.MAX_VALUE);

    /** The four buckets every table shows, sparsest first. */
    public static final List<ProfileBucket> STANDARD = List.of(SPARSE, SMALL, MEDIUM, LARGE);

    private final String label;
    private final int min;
    private final int max;

    ProfileBucket(String label, int min, int max) {
        this.label = label;
        this.min = min;
        this.max = max;
    }

    /** The value of the {@code bucket} column of the {@code metrics} table, e.g. "1-4", "100+". */
    public String label() {
        return label;
    }

    public static ProfileBucket of(long profileLength) {
        if (profileLength < 0) {
            throw new IllegalArgumentException("Cannot bucket profile length " + profileLength + ": it is negative");
        }
        for (ProfileBucket bucket : values()) {
            if (profileLength >= bucket.min && profileLength <= bucket.max) {
                return bucket;
            }
        }
        return LARGE;
    }

    public static ProfileBucket fromLabel(String label) {
        for (ProfileBucket bucket : values()) {
            if (bucket.label.equals(label)) {
                return bucket;
            }
        }
        throw new IllegalArgumentException("Cannot parse profile bucket '" + label + "': expected one of 0, 1-4, 5-19, 20-99, 100+");
    }
}
