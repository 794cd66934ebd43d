package org.proper.pipeline.train;

import java.io.Serializable;
import java.util.Arrays;

import org.proper.model.lm.Example;
import org.proper.model.lm.Tokenizer;

/**
 * Turns an interaction (prompt text, answer text) into a model {@link Example} that fits the context window.
 *
 * <p>The window is split once, for the whole run: the last {@code answerBudget} positions belong to the answer (EOS
 * included), the prompt keeps its last {@code maxSeqLen − answerBudget} tokens (the item itself comes last in every
 * task template, after the fixed instruction). Training and inference cut prompts the same way, so an answer starts
 * at the same position whatever its length. (Cutting each prompt to fit its own answer would place short and long
 * labels at different positions, and a model with learned positions then reads the label off the position instead
 * of the text: on arrow-components the population model answered "Packaging", the one 9-byte label, for every
 * commit.)
 */
public final class ExampleEncoder implements Serializable {
    private static final long serialVersionUID = 2L;

    private final Tokenizer tokenizer;
    private final int maxSeqLen;
    private final int answerBudget;

    /**
     * @param answerBudget tokens reserved for the answer and its EOS; longer answers are cut to it (EOS kept last)
     */
    public ExampleEncoder(Tokenizer tokenizer, int maxSeqLen, int answerBudget) {
        if (maxSeqLen < 4) throw new IllegalArgumentException("Cannot encode examples: proper.model.max-seq-len " + maxSeqLen + " < 4");
        if (answerBudget < 2 || answerBudget > maxSeqLen - 1) {
            throw new IllegalArgumentException("Cannot encode examples: the answer needs " + answerBudget
                    + " tokens (longest label + EOS, or proper.eval.max-new-tokens + 1) but proper.model.max-seq-len is "
                    + maxSeqLen + "; raise proper.model.max-seq-len");
        }
        this.tokenizer = tokenizer;
        this.maxSeqLen = maxSeqLen;
        this.answerBudget = answerBudget;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Tokens reserved for the answer, EOS included. */
    public int answerBudget() {
        return answerBudget;
    }

    public Example encode(String userId, String prompt, String answer) {
        Example full = Example.of(tokenizer, userId, prompt, answer);
        int[] a = full.answer();
        if (a.length > answerBudget) {
            a = Arrays.copyOf(a, answerBudget);
            a[answerBudget - 1] = tokenizer.eos();
        }
        return new Example(userId, promptTail(full.prompt()), a);
    }

    /** The prompt alone (for inference), cut exactly as in {@link #encode}. */
    public int[] encodePrompt(String prompt) {
        int[] p = tokenizer.encode(prompt);
        if (p.length == 0) p = new int[]{tokenizer.eos()};
        return promptTail(p);
    }

    private int[] promptTail(int[] p) {
        int budget = maxSeqLen - answerBudget;
        return p.length <= budget ? p : Arrays.copyOfRange(p, p.length - budget, p.length);
    }
}
