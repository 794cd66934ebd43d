package org.proper.model;

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

    /** Beginning-of-sequence id, or -1 if the tokenizer has none. */
    default int bos() {
        return -1;
    }
}
