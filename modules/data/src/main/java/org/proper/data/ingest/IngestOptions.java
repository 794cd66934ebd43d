package org.proper.data.ingest;

import org.proper.data.task.TaskMapping;

/**
 * Options of {@link Ingest}; validated here, errors name the option.
 *
 * @param input          input path: a LaMP directory, or a file/directory of JSONL, CSV or Parquet logs
 * @param format         input format
 * @param runDir         run directory; tables go to runDir/interactions and runDir/quarantine (overwritten)
 * @param task           task name; for LaMP input null means "read it from the outputs files"; required for logs
 *                       unless {@code mapping} is given
 * @param mapping        explicit task mapping overriding the predefined or inferred one; may be null
 * @param maxTextChars   a field longer than this is quarantined as text_too_long
 * @param inferenceSample how many golds/profile items to sample when a mapping must be inferred
 * @param cutoffMs       if not null, interactions whose timestamp (epoch ms) is at or after this instant are left out
 *                       (not quarantined: they belong to a later run); rows without a timestamp are always kept
 */
public record IngestOptions(String input, InputFormat format, String runDir, String task, TaskMapping mapping,
                            int maxTextChars, int inferenceSample, Long cutoffMs) {

    public static final int DEFAULT_MAX_TEXT_CHARS = 20_000;
    public static final int DEFAULT_INFERENCE_SAMPLE = 500;

    public IngestOptions {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("Cannot ingest: option 'input' is empty");
        }
        if (format == null) {
            throw new IllegalArgumentException("Cannot ingest: option 'format' is missing (lamp, jsonl, csv or parquet)");
        }
        if (runDir == null || runDir.isBlank()) {
            throw new IllegalArgumentException("Cannot ingest: option 'runDir' is empty");
        }
        if (maxTextChars <= 0) {
            throw new IllegalArgumentException("Cannot ingest: option 'maxTextChars' must be positive, got " + maxTextChars);
        }
        if (inferenceSample <= 0) {
            throw new IllegalArgumentException("Cannot ingest: option 'inferenceSample' must be positive, got " + inferenceSample);
        }
        if (format != InputFormat.LAMP && mapping == null && (task == null || task.isBlank())) {
            throw new IllegalArgumentException("Cannot ingest " + format + " logs: option 'task' (or 'mapping') is required");
        }
        if (mapping != null && task != null && !task.isBlank() && !task.equals(mapping.task())) {
            throw new IllegalArgumentException("Cannot ingest: option 'task' = " + task + " but option 'mapping' is for "
                    + mapping.task());
        }
    }

    /** Without a time cutoff. */
    public IngestOptions(String input, InputFormat format, String runDir, String task, TaskMapping mapping,
                         int maxTextChars, int inferenceSample) {
        this(input, format, runDir, task, mapping, maxTextChars, inferenceSample, null);
    }

    /** LaMP directory with defaults. */
    public static IngestOptions lamp(String dir, String runDir) {
        return new IngestOptions(dir, InputFormat.LAMP, runDir, null, null, DEFAULT_MAX_TEXT_CHARS, DEFAULT_INFERENCE_SAMPLE);
    }

    public IngestOptions withMapping(TaskMapping m) {
        return new IngestOptions(input, format, runDir, task, m, maxTextChars, inferenceSample, cutoffMs);
    }

    /** Leaves out interactions at or after {@code epochMs} (e.g. the start of the day after the run date, UTC). */
    public IngestOptions withCutoff(Long epochMs) {
        return new IngestOptions(input, format, runDir, task, mapping, maxTextChars, inferenceSample, epochMs);
    }

    public IngestOptions withMaxTextChars(int max) {
        return new IngestOptions(input, format, runDir, task, mapping, max, inferenceSample, cutoffMs);
    }
}
