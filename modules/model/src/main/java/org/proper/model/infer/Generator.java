package org.proper.model.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.graph.Batch;
import org.proper.model.graph.Batches;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.Example;

/** Inference on a {@link Composition}: greedy decoding, constrained choice among labels, logits, mean loss. */
public final class Generator {
    private Generator() {
    }

    /**
     * Greedy decoding of up to maxNewTokens after the prompt, stopping at eos (not included in the result).
     * The prompt keeps its last maxSeqLen − maxNewTokens tokens. userEmbedding may be null without experts.
     */
    public static int[] greedy(Composition c, float[] userEmbedding, int[] prompt, int maxNewTokens, int eos) {
        int max = c.base().config().maxSeqLen();
        if (maxNewTokens <= 0 || maxNewTokens >= max)
            throw new IllegalArgumentException("Cannot generate: maxNewTokens must be in [1, " + (max - 1) + "], got " + maxNewTokens);
        int[] p = prompt.length + maxNewTokens > max ? Arrays.copyOfRange(prompt, prompt.length - (max - maxNewTokens), prompt.length) : prompt;
        int t = Math.min(max, (p.length + maxNewTokens + 7) / 8 * 8);
        ModelGraph g = c.graph(t, 1);                                      // the top layer at (about) the one position read
        int[] seq = Arrays.copyOf(p, p.length + maxNewTokens);
        int len = p.length;
        int v = c.base().config().vocabSize();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < maxNewTokens; i++) {
            Batch b = Batch.forSequences(new int[][]{Arrays.copyOf(seq, len)}, new int[]{len}, t, Batches.PAD,
                    userEmbedding, hard(c, userEmbedding), 0).withHeadRows(0, len - 1, len);
            INDArray logits = g.sd().output(g.feed(b), ModelGraph.LOGITS).get(ModelGraph.LOGITS);   // [1,V] at len−1
            INDArray row = logits.getRow(0);
            int next = row.argMax().getInt(0);
            if (next == eos) break;
            out.add(next);
            seq[len++] = next;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Log-likelihood of each label given the prompt (sum over the label's tokens). */
    public static double[] labelLogLikelihoods(Composition c, float[] userEmbedding, int[] prompt, List<int[]> labels) {
        if (labels.isEmpty()) throw new IllegalArgumentException("Cannot choose: no labels");
        int max = c.base().config().maxSeqLen();
        int longest = labels.stream().mapToInt(l -> l.length).max().orElse(1);
        if (longest >= max) throw new IllegalArgumentException("Cannot choose: a label has " + longest + " tokens, maxSeqLen is " + max);
        int[] p = prompt.length + longest > max ? Arrays.copyOfRange(prompt, prompt.length - (max - longest), prompt.length) : prompt;
        int t = Math.min(max, (p.length + longest + 7) / 8 * 8);
        int[][] seqs = new int[labels.size()][];
        int[] start = new int[labels.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = Batch.concat(p, labels.get(i));
            start[i] = p.length;
        }
        ModelGraph g = c.graph(t, Batch.windowFor(longest, t));
        Batch b = Batch.forSequences(seqs, start, t, Batches.PAD, userEmbedding, hard(c, userEmbedding), 0);
        INDArray tl = g.sd().output(g.feed(b), ModelGraph.TOKEN_LOSS).get(ModelGraph.TOKEN_LOSS);  // [M] label positions
        double[] ll = new double[seqs.length];
        b.forEachAnswerRow(tl, (row, w, ce) -> ll[row] -= ce);
        return ll;
    }

    /** Constrained decoding to a label set: the index of the label with the highest total log-likelihood. */
    public static int choose(Composition c, float[] userEmbedding, int[] prompt, List<int[]> labels) {
        double[] ll = labelLogLikelihoods(c, userEmbedding, prompt, labels);
        int best = 0;
        for (int i = 1; i < ll.length; i++) if (ll[i] > ll[best]) best = i;
        return best;
    }

    /** Logits [len, V] of a token sequence (row t predicts token t+1). */
    public static float[][] logits(Composition c, float[] userEmbedding, int[] tokens) {
        int t = Math.min(c.base().config().maxSeqLen(), (tokens.length + 7) / 8 * 8);
        ModelGraph g = c.graph(t, t);
        Batch b = Batch.forSequences(new int[][]{tokens}, new int[]{tokens.length}, t, Batches.PAD, userEmbedding, hard(c, userEmbedding), 0)
                .withHeadRows(0, 0, tokens.length);
        INDArray l = g.sd().output(g.feed(b), ModelGraph.LOGITS).get(ModelGraph.LOGITS);             // [len,V]
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = l.getRow(i).toFloatVector();
        return out;
    }

    /**
     * Mean answer-token cross-entropy (dev loss) of examples; embeddings by user id (null without experts). One graph
     * at the longest example's length; rows in chunks of 16.
     */
    public static double meanLoss(Composition c, Map<String, float[]> userEmbeddings, List<Example> examples) {
        if (examples.isEmpty()) return Double.NaN;
        int t = Batch.seqLenFor(examples, c.base().config().maxSeqLen());
        ModelGraph g = c.graph(t, Batch.windowFor(examples, t));
        double sum = 0;
        long n = 0;
        for (int from = 0; from < examples.size(); from += 16) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + 16));
            float[][] emb = null;
            int[] hard = null;
            if (c.needsEmbedding()) {
                emb = new float[chunk.size()][];
                hard = c.hardRouting() ? new int[chunk.size()] : null;
                for (int i = 0; i < chunk.size(); i++) {
                    emb[i] = userEmbeddings == null ? null : userEmbeddings.get(chunk.get(i).userId());
                    if (emb[i] == null) throw new IllegalArgumentException("Cannot compute loss: no embedding for user " + chunk.get(i).userId());
                    if (hard != null) hard[i] = c.experts().nearest(emb[i]);
                }
            }
            Batch b = Batch.of(chunk, t, Batches.PAD, null, null, emb, hard);
            double ce = g.sd().output(g.feed(b), ModelGraph.CE).get(ModelGraph.CE).getDouble(0);   // mean over the chunk
            sum += ce * b.answerTokens();
            n += b.answerTokens();
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static int hard(Composition c, float[] emb) {
        if (c.experts() == null || !c.hardRouting()) return -1;
        if (emb == null) throw new IllegalArgumentException("Cannot route: hard routing needs the user's embedding");
        return c.experts().nearest(emb);
    }
}
