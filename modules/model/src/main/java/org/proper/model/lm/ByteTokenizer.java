package org.proper.model.lm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Lossless UTF-8 byte tokenizer: ids 0..255 are bytes, then BOS, EOS, PAD. Needs no training. */
public final class ByteTokenizer implements Tokenizer {
    public static final int BOS = 256;
    public static final int EOS = 257;
    public static final int PAD = 258;
    public static final int VOCAB_SIZE = 259;

    @Override
    public int[] encode(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xff;
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length);
        for (int id : ids) if (id >= 0 && id < 256) out.write(id);   // special ids carry no text
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public int eos() {
        return EOS;
    }

    @Override
    public int pad() {
        return PAD;
    }

    @Override
    public int bos() {
        return BOS;
    }
}
