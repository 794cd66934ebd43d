package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {
    private static final TaskSpec ABC = TaskSpec.classification("abc", List.of("A", "B", "C"));

    @Test
    void accuracyAndMacroF1MatchHandWorkedConfusionCounts() {
        // A: TP1 FN1 -> 2/3; B: TP1 FP1 -> 2/3; C: FN1 -> 0; out-of-set X adds no FP. macro = 4/9
        MetricValues values = MetricAccumulator.evaluate(ABC, List.of("A", "A", "B", "C"), List.of("A", "B", "B", "X"));
        assertEquals(0.5, values.get(Metric.ACCURACY), 1e-12);
        assertEquals(4.0 / 9.0, values.get(Metric.MACRO_F1), 1e-12);
        assertEquals(4, values.n());
    }

    @Test
    void macroF1LeavesOutLabelsThatOccurInNeitherGoldsNorPredictions() {
        TaskSpec abcd = TaskSpec.classification("abcd", List.of("A", "B", "C", "D"));
        MetricValues values = MetricAccumulator.evaluate(abcd, List.of("A", "A", "B", "C"), List.of("A", "B", "B", "X"));
        assertEquals(4.0 / 9.0, values.get(Metric.MACRO_F1), 1e-12); // not (2/3 + 2/3 + 0 + 0) / 4
    }

    @Test
    void predictedLabelThatNeverIsGoldStillCountsInMacroF1() {
        // golds A,A preds A,C: A TP1 FN1 -> 2/3; C FP1 -> 0; macro = 1/3
        MetricValues values = MetricAccumulator.evaluate(ABC, List.of("A", "A"), List.of("A", "C"));
        assertEquals(0.5, values.get(Metric.ACCURACY), 1e-12);
        assertEquals(1.0 / 3.0, values.get(Metric.MACRO_F1), 1e-12);
    }

    @Test
    void allWrongScoresZero() {
        MetricValues values = MetricAccumulator.evaluate(ABC, List.of("A", "B"), List.of("B", "A"));
        assertEquals(0.0, values.get(Metric.ACCURACY));
        assertEquals(0.0, values.get(Metric.MACRO_F1));
    }

    @Test
    void allCorrectScoresOne() {
        MetricValues values = MetricAccumulator.evaluate(ABC, List.of("A", "B", "B"), List.of("A", "B", "B"));
        assertEquals(1.0, values.get(Metric.ACCURACY));
        assertEquals(1.0, values.get(Metric.MACRO_F1));
    }

    @Test
    void outOfSetEmptyAndWrongCaseAnswersAreWrongButSurroundingWhitespaceIsStripped() {
        ExampleScorer scorer = new ExampleScorer(ABC);
        ExampleScore outOfSet = scorer.score("A", "Z");
        assertFalse(outOfSet.correct());
        assertNull(outOfSet.predictedLabel());
        assertFalse(scorer.score("A", "").correct());
        assertFalse(scorer.score("A", null).correct());
        assertFalse(scorer.score("A", "a").correct());
        assertFalse(scorer.score("A", "A.").correct());
        assertTrue(scorer.score("A", "  A\n").correct());
        assertEquals(1.0, scorer.score("A", "A").value(Metric.ACCURACY));
        assertTrue(Double.isNaN(scorer.score("A", "A").value(Metric.MACRO_F1)));
    }

    @Test
    void onlyOutOfSetAnswersGiveZeroAccuracyAndMacroF1() {
        MetricValues values = MetricAccumulator.evaluate(ABC, List.of("A", "B"), List.of("", "nonsense"));
        assertEquals(0.0, values.get(Metric.ACCURACY));
        assertEquals(0.0, values.get(Metric.MACRO_F1));
    }

    @Test
    void goldOutsideTheLabelSetIsRejectedWithItsValue() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new ExampleScorer(ABC).score("Q", "A"));
        assertTrue(error.getMessage().contains("'Q'"), error.getMessage());
    }

    @Test
    void emptyAccumulatorGivesNaNWithZeroCount() {
        MetricValues values = new MetricAccumulator(ABC).result();
        assertEquals(0, values.n());
        assertTrue(Double.isNaN(values.get(Metric.ACCURACY)));
        assertTrue(Double.isNaN(values.get(Metric.MACRO_F1)));
    }

    @Test
    void mergedPartialAccumulatorsEqualOneAccumulatorOverAllExamples() {
        ExampleScorer scorer = new ExampleScorer(ABC);
        List<String> golds = List.of("A", "A", "B", "C", "C", "B");
        List<String> predictions = List.of("A", "B", "B", "X", "C", "A");
        MetricAccumulator left = new MetricAccumulator(ABC);
        MetricAccumulator right = new MetricAccumulator(ABC);
        for (int i = 0; i < golds.size(); i++) {
            (i < 3 ? left : right).add(scorer.score(golds.get(i), predictions.get(i)));
        }
        MetricValues merged = left.merge(right).result();
        MetricValues whole = MetricAccumulator.evaluate(ABC, golds, predictions);
        assertEquals(whole, merged);
        // A: TP1 FN1 FP1 -> 1/2; B: TP1 FN1 FP1 -> 1/2; C: TP1 FN1 -> 2/3
        assertEquals((0.5 + 0.5 + 2.0 / 3.0) / 3.0, merged.get(Metric.MACRO_F1), 1e-12);
        assertEquals(0.5, merged.get(Metric.ACCURACY), 1e-12);
    }

    @Test
    void taskSpecRejectsEmptyOrDuplicateLabelsNamingTheOption() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> TaskSpec.classification("t", List.of()));
        assertTrue(empty.getMessage().contains("labels"), empty.getMessage());
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> TaskSpec.classification("t", List.of("A", "A")));
        assertTrue(duplicate.getMessage().contains("duplicates"), duplicate.getMessage());
    }
}
