package org.proper.model.infer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Tokenizer;

/**
 * The base model's final hidden states — after the final LayerNorm / RMSNorm, before the LM head — averaged over each
 * sequence's real (unpadded) tokens: the per-text vector of the "hidden-state" user embedding (DESIGN §4, "the model's
 * own mean hidden state"). Frozen base, no adapters. The forward graph comes from the per-thread {@link GraphCache}:
 * built once per thread, base model object and sequence length, and reused by every batch.
 */
public final class HiddenStates {
    private static final GraphSpec BASE_ONLY = GraphSpec.inference(null, null, false, null, false);

    private HiddenStates() {
    }

    /**
     * A text as the model reads it: BOS (EOS when the tokenizer has none, as {@link org.proper.model.train.Pretrainer} starts its windows)
     * followed by the text's last maxSeqLen − 1 tokens. The end is kept, as {@link Batch#fit} keeps the end of a
     * prompt: a rendered training text starts with its task's template, the same for every user, and ends with the
     * user's own item and answer.
     */
    public static int[] encode(Tokenizer tokenizer, String text, int maxSeqLen) {
        if (maxSeqLen < 2) throw new IllegalArgumentException("Cannot encode for hidden states: maxSeqLen must be >= 2, got " + maxSeqLen);
        int[] ids = tokenizer.encode(text == null ? "" : text);
        int n = Math.min(ids.length, maxSeqLen - 1);
        int[] seq = new int[n + 1];
        seq[0] = tokenizer.bos() >= 0 ? tokenizer.bos() : tokenizer.eos();
        System.arraycopy(ids, ids.length - n, seq, 1, n);
        return seq;
    }

    /**
     * The mean final hidden state of each sequence, in one forward pass at graph length seqLen (sequences are
     * right-padded to it; padding changes nothing: attention is causal and masks padded keys, the mean skips them).
     *
     * @param seqs    token sequences, each of 1..seqLen tokens
     * @param seqLen  graph length, at most the model's maxSeqLen; keep it fixed across calls so the graph is reused
     * @return [seqs.length][dModel]
     */
    public static float[][] mean(BaseModel base, int[][] seqs, int seqLen) {
        if (seqs.length == 0) return new float[0][];
        int[] lengths = new int[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i].length == 0) throw new IllegalArgumentException("Cannot compute hidden states: sequence " + i + " is empty");
            if (seqs[i].length > seqLen)
                throw new IllegalArgumentException("Cannot compute hidden states: sequence " + i + " has " + seqs[i].length + " tokens > seqLen " + seqLen);
            lengths[i] = seqs[i].length;
        }
        ModelGraph g = GraphCache.get(base, BASE_ONLY, DataType.FLOAT, seqLen);
        // answerStart = length: no position carries a loss weight; only tokens and key mask matter here
        Batch b = Batch.forSequences(seqs, lengths, seqLen, Batches.PAD, null, -1, 0);
        INDArray hidden = g.sd().output(g.feed(b), ModelGraph.HIDDEN).get(ModelGraph.HIDDEN);           // [n·T,d]
        return maskedMean(hidden.toFloatMatrix(), b.keyMask(), seqs.length, seqLen);
    }

    /** mean_i = Σ_t mask[i,t]·h[i·T+t] / Σ_t mask[i,t], for rows [n·T][d] and mask [n·T] (1 real, 0 pad). */
    static float[][] maskedMean(float[][] hidden, float[] mask, int rows, int seqLen) {
        int d = hidden[0].length;
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            double[] sum = new double[d];
            double count = 0;
            for (int t = 0; t < seqLen; t++) {
                float m = mask[i * seqLen + t];
                if (m == 0) continue;
                float[] h = hidden[i * seqLen + t];
                for (int j = 0; j < d; j++) sum[j] += m * h[j];
                count += m;
            }
            if (count == 0) throw new IllegalArgumentException("Cannot average hidden states: row " + i + " has no real token");
            float[] mean = new float[d];
            for (int j = 0; j < d; j++) mean[j] = (float) (sum[j] / count);
            out[i] = mean;
        }
        return out;
    }

    /** Drops this thread's cached graphs (call at the end of a Spark task that computed hidden states). */
    public static void releaseGraphs() {
        GraphCache.clear();
    }
}
