package org.proper.data.ingest;

import java.util.Locale;

/** Input formats ingest reads. LAMP: a directory of {split}_questions.json(l) + {split}_outputs.json(l). */
public enum InputFormat {
    LAMP, JSONL, CSV, PARQUET;

    public static InputFormat parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Cannot parse option 'format' = '" + value + "': expected lamp, jsonl, csv or parquet");
        }
    }
}
