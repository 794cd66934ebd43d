package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * 40 seeded random cases (1-25 examples, out-of-set answers "X", "", "a") scored by scikit-learn 1.2.1 with the
 * documented convention; the fixture records sklearn's numbers.
 */
class SklearnAgreementTest {

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }

    @Test
    void accuracyAndMacroF1MatchScikitLearnOnRandomCases() throws IOException {
        JsonNode fixture;
        try (InputStream in = getClass().getResourceAsStream("sklearn-classification.json")) {
            fixture = new ObjectMapper().readTree(in);
        }
        TaskSpec task = TaskSpec.classification("sklearn", strings(fixture.get("labels")));
        int cases = 0;
        for (JsonNode c : fixture.get("cases")) {
            MetricValues values = MetricAccumulator.evaluate(task, strings(c.get("gold")), strings(c.get("prediction")));
            assertEquals(c.get("accuracy").asDouble(), values.get(Metric.ACCURACY), 1e-12, "accuracy of case " + cases);
            assertEquals(c.get("macro_f1").asDouble(), values.get(Metric.MACRO_F1), 1e-12, "macro-F1 of case " + cases);
            cases++;
        }
        assertEquals(40, cases);
    }
}
