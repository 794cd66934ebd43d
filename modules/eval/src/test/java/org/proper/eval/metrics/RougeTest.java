package org.proper.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RougeTest {

    @Test
    void tokenizerLowercasesAndSplitsOnEveryNonAlphanumeric() {
        assertEquals(List.of("the", "cat", "s", "hat", "new", "42"), RougeTokenizer.tokenize("The cat's hat—NEW! (#42)"));
        assertEquals(List.of("kafka", "12345", "fix", "npe"), RougeTokenizer.tokenize("KAFKA-12345: fix_NPE"));
        assertEquals(List.of("caf", "ber"), RougeTokenizer.tokenize("Café über")); // non-ASCII letters separate, as rouge-score
        assertEquals(List.of(), RougeTokenizer.tokenize(" ...!? "));
        assertEquals(List.of(), RougeTokenizer.tokenize(null));
    }

    @Test
    void rouge1ClipsRepeatedTokensToTheirCountInTheTarget() {
        // target the,cat,sat,on,the,mat; prediction the,the,the,cat: overlap min(3,2) + 1 = 3; P 3/4, R 3/6
        RougeScore score = Rouge.rouge1("the cat sat on the mat", "the the the cat");
        assertEquals(0.75, score.precision(), 1e-12);
        assertEquals(0.5, score.recall(), 1e-12);
        assertEquals(0.6, score.f1(), 1e-12);
    }

    @Test
    void rougeLUsesTheLongestCommonSubsequence() {
        // LCS("the cat sat on the mat", "the the the cat") = 2 ("the the" or "the cat"); P 2/4, R 2/6, F 0.4
        RougeScore score = Rouge.rougeL("the cat sat on the mat", "the the the cat");
        assertEquals(0.5, score.precision(), 1e-12);
        assertEquals(1.0 / 3.0, score.recall(), 1e-12);
        assertEquals(0.4, score.f1(), 1e-12);
    }

    @Test
    void rougeLTiesBetweenEqualLengthSubsequencesGiveOneLength() {
        // "a d", "a c", "b d", "b c" all have length 2
        RougeScore score = Rouge.rougeL("a b c d", "b a d c");
        assertEquals(0.5, score.f1(), 1e-12);
        assertEquals(2, Rouge.lcsLength(List.of("a", "b", "c", "d"), List.of("b", "a", "d", "c")));
        assertEquals(1.0, Rouge.rouge1("a b c d", "b a d c").f1(), 1e-12); // order does not matter for ROUGE-1
    }

    @Test
    void rougeLOnAnInterleavedSequence() {
        // target: fix race in log cleaner thread; prediction: fix log cleaner race -> LCS "fix log cleaner" = 3
        RougeScore score = Rouge.rougeL("Fix race in log cleaner thread", "fix log cleaner race");
        assertEquals(3.0 / 4.0, score.precision(), 1e-12);
        assertEquals(3.0 / 6.0, score.recall(), 1e-12);
        assertEquals(0.6, score.f1(), 1e-12);
    }

    @Test
    void identicalTextUpToCaseAndPunctuationScoresOne() {
        assertEquals(1.0, Rouge.rouge1("Fix NPE in Foo", "fix npe in foo.").f1(), 1e-12);
        assertEquals(1.0, Rouge.rougeL("Fix NPE in Foo", "fix npe in foo.").f1(), 1e-12);
    }

    @Test
    void emptyPredictionEmptyGoldOrPunctuationOnlyScoreZero() {
        assertEquals(RougeScore.ZERO, Rouge.rouge1("fix the bug", ""));
        assertEquals(RougeScore.ZERO, Rouge.rougeL("fix the bug", ""));
        assertEquals(RougeScore.ZERO, Rouge.rouge1("", "fix the bug"));
        assertEquals(RougeScore.ZERO, Rouge.rougeL("", "fix the bug"));
        assertEquals(RougeScore.ZERO, Rouge.rouge1("", ""));
        assertEquals(RougeScore.ZERO, Rouge.rougeL("", ""));
        assertEquals(RougeScore.ZERO, Rouge.rouge1("fix the bug", "!!!"));
    }

    @Test
    void noOverlapScoresZero() {
        assertEquals(0.0, Rouge.rouge1("alpha beta", "gamma delta").f1());
        assertEquals(0.0, Rouge.rougeL("alpha beta", "gamma delta").f1());
    }

    @Test
    void generationAggregatesAreMeansOfPerExampleF1() {
        TaskSpec titles = TaskSpec.generation("titles");
        MetricValues values = MetricAccumulator.evaluate(titles,
                List.of("the cat sat on the mat", "Fix NPE in Foo", "fix the bug"),
                List.of("the the the cat", "fix npe in foo.", ""));
        assertEquals((0.6 + 1.0 + 0.0) / 3, values.get(Metric.ROUGE_1), 1e-12);
        assertEquals((0.4 + 1.0 + 0.0) / 3, values.get(Metric.ROUGE_L), 1e-12);
        assertEquals(3, values.n());
        ExampleScore one = new ExampleScorer(titles).score("the cat sat on the mat", "the the the cat");
        assertEquals(0.6, one.value(Metric.ROUGE_1), 1e-12);
        assertEquals(0.4, one.value(Metric.ROUGE_L), 1e-12);
    }
}
