package org.proper.model.lm;

import java.io.Serializable;

/** Text ↔ token ids. Implementations are serializable so Spark can broadcast them. */
public interface Tokenizer extends Serializable {
    int[] encode(String text);

    String decode(int[] ids);

    int vocabSize();

    /** End-of-sequence id: generation stops here; append it to answers so the model learns to stop. */
    int eos();

    /** Padding id (never trained on). */
    int pad();

    /**
     * Refuses a model whose vocabulary cannot hold this tokenizer's ids (they would index past its embedding):
     * "Cannot {task}: the tokenizer has N ids but the model's vocabulary only M".
     */
    default void requireFits(ModelConfig model, String task) {
        if (vocabSize() > model.vocabSize())
            throw new IllegalArgumentException("Cannot " + task + ": the tokenizer has " + vocabSize()
                    + " ids but the model's vocabulary only " + model.vocabSize());
    }

    /** Beginning-of-sequence id, or -1 if the tokenizer has none. */
    default int bos() {
        return -1;
    }
}
