package org.proper.data.ingest;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Field extraction and validation shared by the parsers. */
final class Fields {

    static final List<String> TIME_FIELDS = List.of("timestamp", "date", "time");

    private Fields() {}

    /** The scalar fields of a JSON object as text (numbers and booleans as written). */
    static Map<String, String> scalars(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }

    /** Null when every required field is present, non-blank and within maxChars; else {reason, detail}. */
    static String[] problem(Map<String, String> fields, List<String> required, int maxChars, String where) {
        for (String f : required) {
            String v = fields.get(f);
            if (v == null) {
                return new String[] {QuarantineReason.MISSING_FIELD, where + "field '" + f + "' is missing"};
            }
            if (v.isBlank()) {
                return new String[] {QuarantineReason.EMPTY_FIELD, where + "field '" + f + "' is empty"};
            }
        }
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getValue().length() > maxChars) {
                return new String[] {QuarantineReason.TEXT_TOO_LONG, where + "field '" + e.getKey() + "' has "
                        + e.getValue().length() + " characters, more than maxTextChars=" + maxChars};
            }
        }
        return null;
    }

    /** Epoch millis from the first time-like field: ISO date, ISO date-time, or epoch seconds/millis; else null. */
    static Long timestamp(Map<String, String> fields) {
        for (String f : TIME_FIELDS) {
            String v = fields.get(f);
            if (v != null && !v.isBlank()) {
                Long t = parseTime(v.trim());
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    static Long parseTime(String v) {
        try {
            if (v.matches("-?\\d+")) {
                long n = Long.parseLong(v);
                return Math.abs(n) < 100_000_000_000L ? n * 1000 : n; // seconds vs millis
            }
            if (v.length() == 10) {
                return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
            if (v.endsWith("Z")) {
                return Instant.parse(v).toEpochMilli();
            }
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
