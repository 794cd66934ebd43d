package org.proper.data.ingest;

/** The snake_case reason codes of the quarantine table. */
public final class QuarantineReason {
    public static final String MALFORMED_JSON = "malformed_json";
    public static final String MALFORMED_CSV = "malformed_csv";
    public static final String MISSING_FIELD = "missing_field";
    public static final String EMPTY_FIELD = "empty_field";
    public static final String TEXT_TOO_LONG = "text_too_long";
    public static final String INVALID_UTF8 = "invalid_utf8";
    public static final String DUPLICATE_ID = "duplicate_id";
    public static final String NO_GOLD = "no_gold";
    /** A gold whose question does not exist. */
    public static final String ORPHAN_GOLD = "orphan_gold";
    /** A label outside the task's label set, a rating out of range, a split other than train/dev/test. */
    public static final String INVALID_VALUE = "invalid_value";

    private QuarantineReason() {}
}
