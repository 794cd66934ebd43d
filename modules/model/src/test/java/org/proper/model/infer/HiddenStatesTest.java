package org.proper.model.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.ModelConfig;

class HiddenStatesTest {
    private static final ByteTokenizer TOK = new ByteTokenizer();

    /** Padding (a longer graph, a longer neighbour in the batch) does not change a sequence's mean hidden state. */
    @Test
    void meanHiddenStateOfAPaddedSequenceEqualsTheUnpaddedOne() {
        for (ModelConfig cfg : new ModelConfig[]{ModelConfig.tiny(), ModelConfig.tinyLlama()}) {
            BaseModel base = Fixtures.base(cfg, 11L);
            int[] shortSeq = HiddenStates.encode(TOK, "kafka: rebalance", cfg.maxSeqLen());      // 17 tokens
            int[] longSeq = HiddenStates.encode(TOK, "arrow: a much longer text about the parquet reader", cfg.maxSeqLen());
            float[] alone = HiddenStates.mean(base, new int[][]{shortSeq}, shortSeq.length)[0];   // no padding at all
            float[][] padded = HiddenStates.mean(base, new int[][]{longSeq, shortSeq}, cfg.maxSeqLen());
            assertEquals(cfg.dModel(), alone.length, "d-model width");
            assertEquals(cfg.dModel(), padded[1].length, "d-model width");
            assertArrayEquals(alone, padded[1], 1e-5f, cfg.family() + ": padded vs unpadded");
            assertTrue(!Arrays.equals(padded[0], padded[1]), "different texts give different vectors");
        }
    }

    @Test
    void theMeanIsOverRealTokensOnly() {
        float[][] hidden = {{1, 2}, {3, 4}, {100, 100}};                  // one row, T = 3, last position padded
        float[][] mean = HiddenStates.maskedMean(hidden, new float[]{1, 1, 0}, 1, 3);
        assertArrayEquals(new float[]{2, 3}, mean[0], 0f);
    }

    @Test
    void encodingStartsWithTheStartTokenAndKeepsTheTextsEndInTheWindow() {
        int[] seq = HiddenStates.encode(TOK, "abcdef", 4);
        assertEquals(4, seq.length);
        assertEquals(TOK.bos() >= 0 ? TOK.bos() : TOK.eos(), seq[0]);
        assertArrayEquals(TOK.encode("def"), Arrays.copyOfRange(seq, 1, 4), "a shared template prefix is what gets cut");
        assertEquals(1, HiddenStates.encode(TOK, "", 4).length, "an empty text is its start token");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> HiddenStates.mean(BaseModel.init(ModelConfig.tiny(), 1L), new int[][]{seq}, 3));
        assertTrue(tooLong.getMessage().contains("4 tokens > seqLen 3"), tooLong.getMessage());
    }
}
