package org.proper.data.ingest;

import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.spark.sql.Row;
import org.proper.data.task.TaskMapping;

/**
 * Turns interaction-log records (JSON lines, CSV, Parquet rows with columns user_id, item_id, input, output,
 * timestamp?, split?) into {@link Unit} rows. The log's {@code input} fills the task template's single input field
 * (a template without input fields ignores it; a template with several uses the input as already rendered).
 */
final class LogParser {

    static final List<String> REQUIRED = List.of("user_id", "item_id", "input", "output");
    static final Set<String> SPLITS = Set.of("train", "dev", "test");

    private LogParser() {}

    static Row jsonLine(RawRecord r, TaskMapping mapping, int maxChars) {
        List<Row> out = new ArrayList<>();
        JsonNode node = LampParser.parse(r, out);
        if (node == null) {
            return out.get(0);
        }
        if (!node.isObject()) {
            return Unit.bad(r.source(), r.position(), QuarantineReason.MALFORMED_JSON, "record is not a JSON object",
                    node.toString());
        }
        return fields(r.source(), r.position(), Fields.scalars(node), mapping, maxChars, node.toString());
    }

    static Row fields(String source, long position, Map<String, String> f, TaskMapping mapping, int maxChars, String raw) {
        String[] problem = Fields.problem(f, REQUIRED, maxChars, "");
        String split = f.get("split");
        if (problem == null && split != null && !split.isBlank() && !SPLITS.contains(split)) {
            problem = new String[] {QuarantineReason.INVALID_VALUE, "field 'split' is '" + split + "', expected train, dev or test"};
        }
        if (problem == null) {
            String why = mapping.answerProblem(f.get("output"));
            if (why != null) {
                problem = new String[] {QuarantineReason.INVALID_VALUE, why};
            }
        }
        if (problem != null) {
            return Unit.bad(source, position, problem[0], problem[1], raw);
        }
        return Unit.good(Unit.LOG, source, position, -1, f.get("user_id"), f.get("item_id"),
                split == null || split.isBlank() ? null : split, renderInput(mapping, f.get("input")), f.get("output"),
                Fields.timestamp(f), raw);
    }

    static String renderInput(TaskMapping mapping, String input) {
        return switch (mapping.inputFields().size()) {
            case 0 -> mapping.render(Map.of());
            case 1 -> mapping.render(Map.of(mapping.inputFields().get(0), input));
            default -> input;
        };
    }

    /** All records of one CSV file; the first record is the header. */
    static Iterator<Row> csvFile(String source, InputStream in, TaskMapping mapping, int maxChars) {
        Iterator<RawRecord> records = RecordSplitter.csv(source, in);
        List<String> header = null;
        List<Row> out = new ArrayList<>();
        while (records.hasNext()) {
            RawRecord r = records.next();
            String text;
            try {
                text = Unit.strictUtf8(r.bytes());
            } catch (CharacterCodingException e) {
                out.add(Unit.bad(source, r.position(), QuarantineReason.INVALID_UTF8, "record is not valid UTF-8",
                        Unit.lenientUtf8(r.bytes())));
                continue;
            }
            List<String> cells = csvCells(text);
            if (header == null) {
                header = cells;
                continue;
            }
            if (cells == null || cells.size() != header.size()) {
                out.add(Unit.bad(source, r.position(), QuarantineReason.MALFORMED_CSV, "expected " + header.size()
                        + " columns, found " + (cells == null ? "unbalanced quotes" : cells.size()), text));
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                f.put(header.get(i).trim(), cells.get(i));
            }
            out.add(fields(source, r.position(), withoutEmptyOptional(f), mapping, maxChars, text));
        }
        return out.iterator();
    }

    /** An empty optional cell (timestamp, split) means absent. */
    private static Map<String, String> withoutEmptyOptional(Map<String, String> f) {
        for (String k : List.of("timestamp", "split")) {
            if (f.containsKey(k) && f.get(k).isBlank()) {
                f.remove(k);
            }
        }
        return f;
    }

    /** RFC 4180 cells of one record; null when quotes are unbalanced. */
    static List<String> csvCells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            return null;
        }
        cells.add(cell.toString());
        return cells;
    }
}
