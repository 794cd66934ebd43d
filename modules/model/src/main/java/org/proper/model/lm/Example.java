package org.proper.model.lm;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training / evaluation example of a user: the loss is taken only on the answer tokens.
 * Use {@link #of} to append the tokenizer's EOS to the answer so generation learns to stop.
 */
public record Example(String userId, int[] prompt, int[] answer) implements Serializable {
    public Example {
        if (prompt == null || answer == null) throw new IllegalArgumentException("Cannot build example: prompt/answer is null for user " + userId);
        if (prompt.length == 0) throw new IllegalArgumentException("Cannot build example: empty prompt for user " + userId);
        if (answer.length == 0) throw new IllegalArgumentException("Cannot build example: empty answer for user " + userId);
    }

    /** Encodes prompt and answer; the answer ends with EOS. */
    public static Example of(Tokenizer tok, String userId, String prompt, String answer) {
        int[] a = tok.encode(answer);
        int[] ae = Arrays.copyOf(a, a.length + 1);
        ae[a.length] = tok.eos();
        int[] p = tok.encode(prompt);
        if (p.length == 0) p = new int[]{tok.bos() >= 0 ? tok.bos() : tok.eos()};
        return new Example(userId, p, ae);
    }

    public int length() {
        return prompt.length + answer.length;
    }
}
