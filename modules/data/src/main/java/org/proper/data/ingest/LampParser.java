package org.proper.data.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.proper.data.task.TaskMapping;

/**
 * Turns LaMP records into {@link Unit} rows: a question {@code {id, user_id?, input, profile[]}} gives one query unit
 * and one unit per profile item (rendered with the task template); an output file gives gold units, whether it is the
 * LaMP object {@code {task, golds:[{id, output}]}}, a JSON array of golds or JSON lines of {@code {id, output}}.
 */
final class LampParser {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private LampParser() {}

    /** LaMP's own convention when a question has no user_id: the question id without a split suffix. */
    static String userIdFromQuestionId(String questionId) {
        return questionId.replaceFirst("[-_](dev|test|train|val)$", "");
    }

    static List<Row> question(RawRecord r, String split, TaskMapping mapping, int maxChars) {
        List<Row> out = new ArrayList<>();
        JsonNode q = parse(r, out);
        if (q == null) {
            return out;
        }
        if (!q.isObject()) {
            out.add(Unit.bad(r.source(), r.position(), QuarantineReason.MALFORMED_JSON, "question is not a JSON object",
                    Unit.truncate(q.toString())));
            return out;
        }
        Map<String, String> fields = Fields.scalars(q);
        String[] problem = Fields.problem(fields, List.of("id", "input"), maxChars, "question: ");
        if (problem == null && !q.has("profile")) {
            problem = new String[] {QuarantineReason.MISSING_FIELD, "question: field 'profile' is missing"};
        }
        if (problem == null && !q.get("profile").isArray()) {
            problem = new String[] {QuarantineReason.INVALID_VALUE, "question: field 'profile' is not an array"};
        }
        if (problem != null) {
            out.add(Unit.bad(r.source(), r.position(), problem[0], problem[1], Unit.truncate(q.toString())));
            return out;
        }
        String qid = fields.get("id");
        String user = fields.getOrDefault("user_id", "");
        if (user.isBlank()) {
            user = userIdFromQuestionId(qid);
        }
        out.add(Unit.good(Unit.QUERY, r.source(), r.position(), -1, user, qid, split, fields.get("input"), null,
                Fields.timestamp(fields), Unit.truncate(withoutProfile(q))));
        JsonNode profile = q.get("profile");
        for (int j = 0; j < profile.size(); j++) {
            out.add(profileItem(r, j, profile.get(j), user, mapping, maxChars));
        }
        return out;
    }

    static Row profileItem(RawRecord r, int j, JsonNode item, String user, TaskMapping mapping, int maxChars) {
        String where = "profile[" + j + "]: ";
        String raw = item.toString();
        if (!item.isObject()) {
            return Unit.bad(r.source(), r.position(), QuarantineReason.MALFORMED_JSON, where + "not a JSON object", raw);
        }
        Map<String, String> f = Fields.scalars(item);
        List<String> required = new ArrayList<>(mapping.requiredFields());
        required.add(0, "id");
        String[] problem = Fields.problem(f, required, maxChars, where);
        if (problem == null && mapping.profileAnswersAreLabels()) {
            String why = mapping.answerProblem(f.get(mapping.answerField()));
            if (why != null) {
                problem = new String[] {QuarantineReason.INVALID_VALUE, where + why};
            }
        }
        if (problem != null) {
            return Unit.bad(r.source(), r.position(), problem[0], problem[1], raw);
        }
        return Unit.good(Unit.PROFILE, r.source(), r.position(), j, user, f.get("id"), "train", mapping.render(f),
                f.get(mapping.answerField()), Fields.timestamp(f), raw);
    }

    /** One gold record {id, output} (array element or JSON line). */
    static Row gold(RawRecord r, String split, TaskMapping mapping, int maxChars) {
        List<Row> out = new ArrayList<>();
        JsonNode g = parse(r, out);
        return g == null ? out.get(0) : gold(r.source(), r.position(), g, split, mapping, maxChars);
    }

    static Row gold(String source, long position, JsonNode g, String split, TaskMapping mapping, int maxChars) {
        String raw = g.toString();
        if (!g.isObject()) {
            return Unit.bad(source, position, QuarantineReason.MALFORMED_JSON, "gold is not a JSON object", raw);
        }
        Map<String, String> f = Fields.scalars(g);
        String[] problem = Fields.problem(f, List.of("id", "output"), maxChars, "gold: ");
        if (problem == null && mapping != null) {
            String why = mapping.answerProblem(f.get("output"));
            if (why != null) {
                problem = new String[] {QuarantineReason.INVALID_VALUE, "gold: " + why};
            }
        }
        if (problem != null) {
            return Unit.bad(source, position, problem[0], problem[1], raw);
        }
        return Unit.good(Unit.GOLD, source, position, -1, null, f.get("id"), split, null, f.get("output"), null, raw);
    }

    /**
     * Streams the golds of a LaMP outputs object {@code {task, golds:[...]}}. A syntax error ends the file: the rest
     * becomes one quarantine row at the position where reading stopped.
     */
    static List<Row> goldObject(String source, InputStream in, String split, TaskMapping mapping, int maxChars)
            throws IOException {
        List<Row> out = new ArrayList<>();
        long position = 0;
        try (JsonParser p = new JsonFactory(new ObjectMapper()).createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                out.add(Unit.bad(source, 0, QuarantineReason.MALFORMED_JSON, "outputs file is not a JSON object", null));
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("golds".equals(name) && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode g = p.readValueAsTree();
                        out.add(gold(source, position, g, split, mapping, maxChars));
                        position++;
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JsonProcessingException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("UTF-8")
                    ? QuarantineReason.INVALID_UTF8 : QuarantineReason.MALFORMED_JSON;
            out.add(Unit.bad(source, position, reason, "outputs unreadable from gold " + position
                    + " on: " + e.getOriginalMessage(), null));
        }
        return out;
    }

    /** Decodes and parses a record; on failure adds the quarantine unit to {@code out} and returns null. */
    static JsonNode parse(RawRecord r, List<Row> out) {
        String text;
        try {
            text = Unit.strictUtf8(r.bytes());
        } catch (CharacterCodingException e) {
            out.add(Unit.bad(r.source(), r.position(), QuarantineReason.INVALID_UTF8, "record is not valid UTF-8",
                    Unit.lenientUtf8(r.bytes())));
            return null;
        }
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                out.add(Unit.bad(r.source(), r.position(), QuarantineReason.MALFORMED_JSON, "empty record", text));
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            out.add(Unit.bad(r.source(), r.position(), QuarantineReason.MALFORMED_JSON, e.getOriginalMessage(), text));
            return null;
        }
    }

    private static String withoutProfile(JsonNode q) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = JSON.createObjectNode();
        q.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("profile")) {
                copy.set(e.getKey(), e.getValue());
            }
        });
        return copy.toString();
    }
}
