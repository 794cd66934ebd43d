package org.proper.pipeline.train;

import java.io.Serializable;
import java.util.Arrays;

import org.proper.model.Example;
import org.proper.model.Tokenizer;

/**
 * Turns an interaction (prompt text, answer text) into a model {@link Example} that fits the context window:
 * the answer keeps at most half the window (its EOS included), the prompt keeps its last tokens (the item itself
 * comes last in every task template, after the fixed instruction).
 */
public final class ExampleEncoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Tokenizer tokenizer;
    private final int maxSeqLen;

    public ExampleEncoder(Tokenizer tokenizer, int maxSeqLen) {
        if (maxSeqLen < 4) throw new IllegalArgumentException("Cannot encode examples: proper.model.max-seq-len " + maxSeqLen + " < 4");
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Example encode(String userId, String prompt, String answer) {
        Example full = Example.of(tokenizer, userId, prompt, answer);
        int[] a = full.answer();
        int maxAnswer = maxSeqLen / 2;
        if (a.length > maxAnswer) {
            a = Arrays.copyOf(a, maxAnswer);
            a[maxAnswer - 1] = tokenizer.eos();
        }
        return new Example(userId, promptTail(full.prompt(), maxSeqLen - a.length), a);
    }

    /** The prompt alone (for generation), cut to leave room for {@code answerBudget} new tokens. */
    public int[] encodePrompt(String prompt, int answerBudget) {
        int[] p = tokenizer.encode(prompt);
        if (p.length == 0) p = new int[]{tokenizer.eos()};
        return promptTail(p, Math.max(1, maxSeqLen - answerBudget));
    }

    private static int[] promptTail(int[] p, int budget) {
        return p.length <= budget ? p : Arrays.copyOfRange(p, p.length - budget, p.length);
    }
}
