package org.proper.pipeline.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proper.eval.metrics.TaskSpec;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.Example;
import org.proper.pipeline.evaluate.TaskSpecs;

class ExampleEncoderTest {
    private static final String LONG_PROMPT = "Which component does this commit change? ".repeat(5) + "commit: Fix the build";

    @Test
    void answersOfEveryLengthStartAtTheSamePositionAsInference() {
        ExampleEncoder enc = new ExampleEncoder(new ByteTokenizer(), 64, 10);
        Example shortLabel = enc.encode("u", LONG_PROMPT, "R");
        Example longLabel = enc.encode("u", LONG_PROMPT, "Packaging");
        int[] inference = enc.encodePrompt(LONG_PROMPT);
        assertEquals(54, shortLabel.prompt().length);
        assertEquals(54, longLabel.prompt().length);
        assertArrayEquals(inference, shortLabel.prompt());
        assertTrue(new ByteTokenizer().decode(inference).endsWith("commit: Fix the build"));
    }

    @Test
    void answersLongerThanTheBudgetAreCutWithEosLast() {
        ByteTokenizer tok = new ByteTokenizer();
        Example e = new ExampleEncoder(tok, 32, 5).encode("u", "title:", "a long generated answer");
        assertEquals(5, e.answer().length);
        assertEquals(tok.eos(), e.answer()[4]);
        assertEquals("a lo", tok.decode(java.util.Arrays.copyOf(e.answer(), 4)));
    }

    @Test
    void budgetIsTheLongestLabelPlusEosForClassificationAndMaxNewTokensForGeneration() {
        ModelSettings s = ModelSettings.from(org.proper.common.ProperConfig.defaults());
        TaskSpec tags = TaskSpec.classification("t", List.of("C++", "R", "Packaging"));
        assertEquals(10, s.encoder(tags).answerBudget());
        assertEquals(List.of("1", "2", "3", "4", "5"), TaskSpecs.answers(TaskSpec.rating("r", 1, 5)));
        assertEquals(2, s.encoder(TaskSpec.rating("r", 1, 5)).answerBudget());
        int maxNew = org.proper.common.ProperConfig.defaults().getInt("proper.eval.max-new-tokens");
        assertEquals(Math.min(maxNew + 1, s.model().maxSeqLen() / 2), s.encoder(TaskSpec.generation("g")).answerBudget());
    }

    @Test
    void budgetThatLeavesNoRoomForAPromptNamesTheKeyToRaise() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ExampleEncoder(new ByteTokenizer(), 8, 8));
        assertTrue(e.getMessage().contains("proper.model.max-seq-len"), e.getMessage());
    }
}
