package org.proper.eval.report;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.proper.eval.baseline.TrainingOutput;

/** Reads a LaMP split of ../shared/data for tests (skips the test where the data is absent). */
public record LampTestData(List<Query> queries) {

    /** A held-out query with its user's profile as training outputs (in profile order). */
    public record Query(String id, String userId, String gold, List<TrainingOutput> profile) {
    }

    public static LampTestData load(String dataset, String split, String outputField) throws IOException {
        String root = System.getProperty("proper.shared.data");
        assumeTrue(root != null, "Skipped: system property proper.shared.data is not set (run through Maven)");
        Path dir = Path.of(root, dataset);
        assumeTrue(Files.isRegularFile(dir.resolve(split + "_questions.json")),
                "Skipped: shared data set " + dir + " is absent");
        ObjectMapper json = new ObjectMapper();
        Map<String, String> golds = new HashMap<>();
        for (JsonNode gold : json.readTree(dir.resolve(split + "_outputs.json").toFile()).get("golds")) {
            golds.put(gold.get("id").asText(), gold.get("output").asText());
        }
        List<Query> queries = new ArrayList<>();
        for (JsonNode question : json.readTree(dir.resolve(split + "_questions.json").toFile())) {
            String userId = question.get("user_id").asText();
            List<TrainingOutput> profile = new ArrayList<>();
            long position = 0;
            for (JsonNode item : question.get("profile")) {
                Long timestamp = item.hasNonNull("date")
                        ? LocalDate.parse(item.get("date").asText()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
                        : null;
                profile.add(new TrainingOutput(userId, item.get(outputField).asText(), timestamp, position++));
            }
            String id = question.get("id").asText();
            queries.add(new Query(id, userId, golds.get(id), profile));
        }
        return new LampTestData(queries);
    }
}
