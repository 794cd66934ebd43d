package org.proper.pipeline.run;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/**
 * A run's id: given explicitly ({@code --run-id}) or derived from the nightly run date ({@code --run-date 2026-11-25}
 * gives run id "2026-11-25"), so re-running a date re-uses (and resumes) the same run.
 */
public final class RunIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private RunIds() {}

    /**
     * @param runId   value of --run-id, or null
     * @param runDate value of --run-date (ISO yyyy-MM-dd), or null
     * @return the run id; exactly one of the two must be given
     */
    public static String resolve(String runId, String runDate) {
        boolean hasId = runId != null && !runId.isBlank();
        boolean hasDate = runDate != null && !runDate.isBlank();
        if (hasId && hasDate) {
            throw new IllegalArgumentException(
                    "Cannot resolve run id: give --run-id or --run-date, not both (got '" + runId + "' and '" + runDate + "')");
        }
        if (!hasId && !hasDate) {
            throw new IllegalArgumentException("Cannot resolve run id: give --run-id ID or --run-date yyyy-MM-dd");
        }
        if (hasId) {
            return requireValid(runId.trim());
        }
        return fromDate(parseDate(runDate.trim()));
    }

    /** The run id of a nightly run: its ISO date. */
    public static String fromDate(LocalDate date) {
        return date.toString();
    }

    static LocalDate parseDate(String runDate) {
        try {
            return LocalDate.parse(runDate);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Cannot resolve run id: --run-date '" + runDate + "' is not an ISO date yyyy-MM-dd", e);
        }
    }

    /** Ids become directory names: letters, digits, '.', '_' and '-', starting with a letter or digit, ≤128 chars. */
    /** Whether {@code runId} is a valid run id (see {@link #requireValid}). */
    public static boolean isValid(String runId) {
        return runId != null && VALID.matcher(runId).matches();
    }

    public static String requireValid(String runId) {
        if (runId == null || !VALID.matcher(runId).matches()) {
            throw new IllegalArgumentException("Cannot use run id '" + runId
                    + "': use letters, digits, '.', '_' or '-' (starting with a letter or digit, at most 128 characters)");
        }
        return runId;
    }
}
