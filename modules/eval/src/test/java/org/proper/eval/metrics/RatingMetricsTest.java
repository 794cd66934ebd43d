package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RatingMetricsTest {
    private static final TaskSpec STARS = TaskSpec.rating("stars", 1, 5);

    @Test
    void maeAndRmseMatchHandWorkedErrorsWithNonNumericAnswersAtTheFarthestRating() {
        // errors: |4-5| = 1; "three" on gold 3 -> tie, counts as 5 -> 2; "" on gold 1 -> 5 -> 4; |2.5-2| = 0.5
        MetricValues values = MetricAccumulator.evaluate(STARS,
                List.of("5", "3", "1", "2"), List.of("4", "three", "", "2.5"));
        assertEquals(7.5 / 4, values.get(Metric.MAE), 1e-12);
        assertEquals(Math.sqrt((1 + 4 + 16 + 0.25) / 4), values.get(Metric.RMSE), 1e-12);
    }

    @Test
    void nonNumericAnswerOnAHighGoldCountsAsTheLowestRating() {
        ExampleScorer scorer = new ExampleScorer(STARS);
        assertEquals(3.0, scorer.score("4", "four").absoluteError());
        assertEquals(4.0, scorer.score("5", "5 stars").absoluteError());
        assertEquals(4.0, scorer.score("5", "NaN").absoluteError());
        assertEquals(4.0, scorer.score("1", "Infinity").absoluteError());
    }

    @Test
    void numericAnswersAreParsedLeniently() {
        ExampleScorer scorer = new ExampleScorer(STARS);
        assertEquals(0.0, scorer.score("4", " 4.0\n").absoluteError());
        assertEquals(0.5, scorer.score("4", "+3.5").absoluteError());
        assertEquals(2.0, scorer.score("4", "2e0").absoluteError());
        assertEquals(2.0, scorer.score("5", "7").absoluteError()); // out of range kept, as LaMP does
    }

    @Test
    void perExampleValueOfMaeAndRmseIsTheAbsoluteError() {
        ExampleScore score = new ExampleScorer(STARS).score("2", "4");
        assertEquals(2.0, score.value(Metric.MAE));
        assertEquals(2.0, score.value(Metric.RMSE));
    }

    @Test
    void nonNumericGoldIsRejectedWithItsValue() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new ExampleScorer(STARS).score("great", "4"));
        assertTrue(error.getMessage().contains("'great'"), error.getMessage());
    }

    @Test
    void ratingRangeMustBeNonEmpty() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TaskSpec.rating("stars", 5, 1));
        assertTrue(error.getMessage().contains("rating range"), error.getMessage());
    }
}
