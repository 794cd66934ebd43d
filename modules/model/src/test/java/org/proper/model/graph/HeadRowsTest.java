package org.proper.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proper.model.Fixtures;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;

/**
 * The LM head runs only at a batch's head rows (the loss positions, or the positions asked for): the values read
 * back must be those of the full [T,V] logits at exactly those positions, in order.
 */
class HeadRowsTest {
    private static final BaseModel BASE = Fixtures.base(ModelConfig.tiny(), 21);
    private static final Composition PLAIN = Composition.of(BASE);

    /** log softmax(logits)[target], in double. */
    private static double logProb(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : logits) max = Math.max(max, l);
        for (float l : logits) sum += Math.exp(l - max);
        return logits[target] - max - Math.log(sum);
    }

    @Test
    void labelLikelihoodsAreTheFullLogitsLogProbabilitiesAtTheLabelPositions() {
        int[] prompt = Fixtures.TOK.encode("arrow 3:");
        List<int[]> labels = List.of(Fixtures.TOK.encode("C++"), Fixtures.TOK.encode("Python"), Fixtures.TOK.encode("R"));
        double[] ll = Generator.labelLogLikelihoods(PLAIN, null, prompt, labels);
        for (int i = 0; i < labels.size(); i++) {
            int[] seq = Batch.concat(prompt, labels.get(i));
            float[][] full = Generator.logits(PLAIN, null, seq);          // [len,V], row t predicts token t+1
            double expected = 0;
            for (int t = prompt.length - 1; t < seq.length - 1; t++) expected += logProb(full[t], seq[t + 1]);
            assertEquals(expected, ll[i], 1e-4, "label " + i);
        }
    }

    @Test
    void greedyDecodingPicksTheArgmaxOfTheFullLogitsAtTheLastPosition() {
        int[] prompt = Fixtures.TOK.encode("kafka 5: consumer");
        int[] next = Generator.greedy(PLAIN, null, prompt, 1, -1);
        float[] last = Generator.logits(PLAIN, null, prompt)[prompt.length - 1];
        int best = 0;
        for (int v = 1; v < last.length; v++) if (last[v] > last[best]) best = v;
        assertArrayEquals(new int[]{best}, next);
    }

    @Test
    void logitsOfASequenceFillingTheWholeGraphHaveEveryPosition() {
        int[] tokens = Fixtures.TOK.encode("sixteen bytes!!!");            // T = 16: every position is a head row
        assertEquals(16, tokens.length);
        float[][] full = Generator.logits(PLAIN, null, tokens);
        assertEquals(16, full.length);
        float[][] prefix = Generator.logits(PLAIN, null, java.util.Arrays.copyOf(tokens, 9));
        for (int t = 0; t < 9; t++) assertArrayEquals(prefix[t], full[t], 1e-5f, "causal: position " + t + " ignores later tokens");
    }

    @Test
    void aBatchWithoutLossPositionsStillHasOneHeadRowAndHeadPositionsAreChecked() {
        Batch b = Batch.of(java.util.Arrays.asList((Example) null), 8, Batches.PAD, null, null, null, null);
        assertArrayEquals(new int[]{0}, b.headRows);
        assertThrows(IllegalArgumentException.class, () -> b.withHeadRows(0, 3, 9));
    }
}
