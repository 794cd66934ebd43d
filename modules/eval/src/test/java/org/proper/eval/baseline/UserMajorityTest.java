package org.proper.eval.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.proper.eval.metrics.Metric;
import org.proper.eval.metrics.MetricAccumulator;
import org.proper.eval.metrics.MetricValues;
import org.proper.eval.metrics.TaskSpec;
import org.proper.eval.report.LampTestData;

class UserMajorityTest {
    private static final TaskSpec ABC = TaskSpec.classification("abc", List.of("A", "B", "C"));

    private static TrainingOutput out(String user, String output, Long timestamp, long position) {
        return new TrainingOutput(user, output, timestamp, position);
    }

    @Test
    void mostFrequentLabelWinsAndTiesGoToTheLabelUsedFirst() {
        // u1: B, A, A -> A; u2 (given newest first): A@t3, B@t1, A@t4, B@t2 -> tie 2:2, B used first (t1)
        UserMajority model = UserMajority.fit(ABC, List.of(
                out("u1", "B", 1L, 0), out("u1", "A", 2L, 1), out("u1", "A", 3L, 2),
                out("u2", "A", 3L, 0), out("u2", "B", 1L, 1), out("u2", "A", 4L, 2), out("u2", "B", 2L, 3)));
        assertEquals("A", model.predict("u1"));
        assertEquals("B", model.predict("u2"));
    }

    @Test
    void outOfSetTrainingOutputsAreIgnoredAndUnknownUsersGetTheGlobalMajority() {
        UserMajority model = UserMajority.fit(ABC, List.of(
                out("u1", "Z", 1L, 0), out("u1", "Z", 2L, 1), out("u1", " C ", 3L, 2),
                out("u2", "Z", null, 0),
                out("u3", "C", null, 0)));
        assertEquals("C", model.predict("u1"));
        assertFalse(model.knows("u2"));
        assertEquals("C", model.predict("u2")); // global majority among in-set labels
        assertEquals("C", model.predict("never-seen"));
    }

    @Test
    void ratingIsTheUsersMeanNumericRating() {
        TaskSpec stars = TaskSpec.rating("stars", 1, 5);
        UserMajority model = UserMajority.fit(stars, List.of(
                out("u1", "5", null, 0), out("u1", "4", null, 1), out("u1", "great", null, 2),
                out("u2", "1", null, 0), out("u2", "2", null, 1), out("u2", "2", null, 2)));
        assertEquals("4.5", model.predict("u1"));
        assertEquals("1.6667", model.predict("u2"));
        assertEquals("2.8", model.predict("nobody")); // global mean of 5,4,1,2,2
        assertEquals("3", UserMajority.fit(stars, List.of()).predict("nobody")); // range midpoint
    }

    @Test
    void generationIsTheUsersMostRecentOutput() {
        TaskSpec titles = TaskSpec.generation("titles");
        List<TrainingOutput> history = List.of(
                out("u1", "older title", 100L, 5), out("u1", "newest title", 300L, 1), out("u1", "middle", 200L, 9));
        assertEquals(Optional.of("newest title"), UserMajority.predictUser(titles, history));
        // same timestamp: the higher position is the later record
        assertEquals(Optional.of("b"), UserMajority.predictUser(titles,
                List.of(out("u1", "b", 7L, 2), out("u1", "a", 7L, 1))));
        assertEquals("", UserMajority.fit(titles, history).predict("nobody"));
    }

    @Test
    void reproducesTheUserMajorityAccuracyOfArrowComponentsReadme() throws IOException {
        LampTestData data = LampTestData.load("arrow-components", "test", "tag");
        TaskSpec task = TaskSpec.classification("commit-component", List.of("C++", "Python", "R", "CI", "Java", "Rust",
                "Go", "Docs", "GLib", "Release", "Packaging", "C#", "JS", "Ruby", "Dev"));
        List<TrainingOutput> training = new ArrayList<>();
        data.queries().forEach(q -> training.addAll(q.profile()));
        UserMajority model = UserMajority.fit(task, training);
        List<String> golds = new ArrayList<>();
        List<String> predictions = new ArrayList<>();
        for (LampTestData.Query query : data.queries()) {
            golds.add(query.gold());
            predictions.add(model.predict(query.userId()));
            assertTrue(model.knows(query.userId()));
        }
        MetricValues values = MetricAccumulator.evaluate(task, golds, predictions);
        assertEquals(266, values.n());
        assertEquals(190.0 / 266, values.get(Metric.ACCURACY), 1e-12); // README: 0.714
        System.out.printf("arrow-components test user-majority: accuracy %.4f macro-F1 %.4f%n",
                values.get(Metric.ACCURACY), values.get(Metric.MACRO_F1));
    }
}
