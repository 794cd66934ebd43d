package org.proper.model.graph;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.lm.Example;

/**
 * A right-padded token batch [rows, T] with next-token targets and answer-only loss weights. Row i's weights are
 * 1 / (answer tokens of its weighting group) so that each group (a user, or the whole batch) contributes its mean
 * answer-token cross-entropy; padded positions have weight 0 and key mask 0.
 * <p>
 * The LM head and the loss are evaluated only at the {@link #headRows}: by default the positions with a non-zero
 * weight, since no other position's logits reach the loss (the hidden states below the head still cover every
 * position). A prompt of 92 tokens with a 4-token answer thus needs 4 rows of logits [V] instead of 96.
 */
public final class Batch {
    final int rows;
    final int seqLen;
    final int[] tokens;      // [rows·T]
    final int[] targets;     // [rows·T] token at t+1 (pad where none)
    final float[] weights;   // [rows·T]
    final float[] keyMask;   // [rows·T] 1 real, 0 pad
    final int[] userIdx;     // [rows] or null
    final float[] userEmb;   // [rows·E] or null
    final int embDim;
    final int[] hardGroup;   // [rows] or null
    /** Flattened positions (row·T + t) whose logits the graph computes, ascending; never empty. */
    final int[] headRows;    // [M]
    int answerTokens;
    /** Layer 0's frozen outputs per name, [rows·T, cols] each, for a graph that takes them ({@link FrozenPrefix}); else null. */
    java.util.Map<String, INDArray> prefix;

    private Batch(int rows, int seqLen, int[] tokens, int[] targets, float[] weights, float[] keyMask, int[] userIdx,
                  float[] userEmb, int embDim, int[] hardGroup, int[] headRows) {
        this.rows = rows;
        this.seqLen = seqLen;
        this.tokens = tokens;
        this.targets = targets;
        this.weights = weights;
        this.keyMask = keyMask;
        this.userIdx = userIdx;
        this.userEmb = userEmb;
        this.embDim = embDim;
        this.hardGroup = hardGroup;
        this.headRows = headRows == null ? weightedPositions(weights) : headRows;
        if (this.headRows.length == 0) throw new IllegalArgumentException("Cannot batch: no head rows");
    }

    /** The answer tokens this batch's loss weighs (Σ over its weighting groups). */
    public int answerTokens() {
        return answerTokens;
    }

    /** 1 at real positions, 0 at padded ones, [rows·T] (the batch's own array: read, do not write). */
    public float[] keyMask() {
        return keyMask;
    }

    /** Feeds layer 0's frozen outputs of these rows ({@link FrozenPrefix#rows}) to a graph that takes them. */
    public void setPrefix(java.util.Map<String, INDArray> prefix) {
        this.prefix = prefix;
    }

    /**
     * -Dproper.headAtLossRowsOnly=false evaluates the head at every position instead (the same loss and gradients, with
     * the cost of [N,V] logits); read per batch, so that a benchmark can compare both in one JVM.
     */
    static final String HEAD_AT_LOSS_ROWS_ONLY = "proper.headAtLossRowsOnly";

    /**
     * The positions with a non-zero weight, or position 0 (weight 0: it adds nothing to the loss) when there are none,
     * so that the head never sees an empty array.
     */
    private static int[] weightedPositions(float[] weights) {
        if (!Boolean.parseBoolean(System.getProperty(HEAD_AT_LOSS_ROWS_ONLY, "true")))
            return java.util.stream.IntStream.range(0, weights.length).toArray();
        int m = 0;
        for (float w : weights) if (w != 0) m++;
        if (m == 0) return new int[]{0};
        int[] rows = new int[m];
        for (int i = 0, k = 0; i < weights.length; i++) if (weights[i] != 0) rows[k++] = i;
        return rows;
    }

    /** This batch with the head evaluated at positions from..to−1 of row {@code row} instead (logits for decoding). */
    public Batch withHeadRows(int row, int from, int to) {
        if (from < 0 || to > seqLen || from >= to) throw new IllegalArgumentException("Cannot batch: head positions [" + from + ", " + to + ") outside [0, " + seqLen + ")");
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) rows[i] = row * seqLen + from + i;
        Batch b = new Batch(this.rows, seqLen, tokens, targets, weights, keyMask, userIdx, userEmb, embDim, hardGroup, rows);
        b.answerTokens = answerTokens;
        return b;
    }

    /** Receives one answer position: its row's stacked-adapter index (0 without), its loss weight and its value. */
    public interface AnswerTokenConsumer {
        void accept(int userIdx, float weight, double value);
    }

    /** Receives one answer position: its row, its loss weight and its value. */
    public interface AnswerRowConsumer {
        void accept(int row, float weight, double value);
    }

    /** Calls {@code f} for every head row with a non-zero weight, with that row's value of {@code perHeadRow} [M]. */
    public void forEachAnswerRow(INDArray perHeadRow, AnswerRowConsumer f) {
        if (perHeadRow.length() != headRows.length)
            throw new IllegalArgumentException("Cannot read per-position values: " + perHeadRow.length() + " values for " + headRows.length + " head rows");
        double[] v = perHeadRow.reshape(perHeadRow.length()).toDoubleVector();
        for (int k = 0; k < headRows.length; k++) {
            int i = headRows[k];
            if (weights[i] != 0) f.accept(i / seqLen, weights[i], v[k]);
        }
    }

    /** {@link #forEachAnswerRow} with each row's stacked-adapter index (0 without) instead of the row. */
    public void forEachAnswerToken(INDArray perHeadRow, AnswerTokenConsumer f) {
        forEachAnswerRow(perHeadRow, (row, w, value) -> f.accept(userIdx == null ? 0 : userIdx[row], w, value));
    }

    /**
     * @param group     weighting group per row (loss = Σ_groups mean CE over the group's answer tokens); null = one group
     * @param userIdx   stacked-adapter index per row, or null
     * @param userEmb   user embedding per row, or null
     * @param hardGroup nearest-centroid cluster per row, or null
     */
    public static Batch of(List<Example> ex, int seqLen, int pad, int[] group, int[] userIdx, float[][] userEmb, int[] hardGroup) {
        int n = ex.size();
        int[] tok = new int[n * seqLen], tgt = new int[n * seqLen];
        float[] w = new float[n * seqLen], km = new float[n * seqLen];
        java.util.Arrays.fill(tok, pad);
        java.util.Arrays.fill(tgt, pad);
        int groups = 1;
        if (group != null) for (int g : group) groups = Math.max(groups, g + 1);
        double[] count = new double[groups];
        int[] promptLen = new int[n], len = new int[n];
        for (int i = 0; i < n; i++) {
            if (ex.get(i) == null) {            // padding row: nothing to attend to, nothing to learn
                promptLen[i] = 1;
                len[i] = 0;
                continue;
            }
            int[][] pa = fit(ex.get(i), seqLen);
            int[] seq = concat(pa[0], pa[1]);
            promptLen[i] = pa[0].length;
            len[i] = seq.length;
            for (int t = 0; t < seq.length; t++) {
                tok[i * seqLen + t] = seq[t];
                km[i * seqLen + t] = 1f;
                if (t + 1 < seq.length) tgt[i * seqLen + t] = seq[t + 1];
            }
            count[group == null ? 0 : group[i]] += pa[1].length;
        }
        for (int i = 0; i < n; i++) {
            double c = count[group == null ? 0 : group[i]];
            for (int t = promptLen[i] - 1; t < len[i] - 1; t++) w[i * seqLen + t] = (float) (1.0 / c);  // predicts an answer token
        }
        float[] emb = null;
        int e = 0;
        if (userEmb != null) {
            e = userEmb[0].length;
            emb = new float[n * e];
            for (int i = 0; i < n; i++) {
                if (userEmb[i] == null) throw new IllegalArgumentException("Cannot batch: no user embedding for row " + i);
                if (userEmb[i].length != e) throw new IllegalArgumentException("Cannot batch: user embedding sizes differ (" + userEmb[i].length + " vs " + e + ")");
                System.arraycopy(userEmb[i], 0, emb, i * e, e);
            }
        }
        Batch b = new Batch(n, seqLen, tok, tgt, w, km, userIdx, emb, e, hardGroup, null);
        double total = 0;
        for (double c : count) total += c;
        b.answerTokens = (int) total;
        return b;
    }

    /**
     * Rows of given token sequences (already fitting in seqLen); weight 1 on every position predicting a token at index
     * ≥ answerStart[i], so Σ weight·tokenLoss per row is the negative log-likelihood of the row's answer.
     */
    public static Batch forSequences(int[][] seqs, int[] answerStart, int seqLen, int pad, float[] userEmb, int hard, int k) {
        int n = seqs.length;
        int[] tok = new int[n * seqLen], tgt = new int[n * seqLen];
        float[] w = new float[n * seqLen], km = new float[n * seqLen];
        java.util.Arrays.fill(tok, pad);
        java.util.Arrays.fill(tgt, pad);
        int ans = 0;
        for (int i = 0; i < n; i++) {
            int[] s = seqs[i];
            if (s.length > seqLen) throw new IllegalArgumentException("Cannot batch: sequence of " + s.length + " tokens > seqLen " + seqLen);
            for (int t = 0; t < s.length; t++) {
                tok[i * seqLen + t] = s[t];
                km[i * seqLen + t] = 1f;
                if (t + 1 < s.length) {
                    tgt[i * seqLen + t] = s[t + 1];
                    if (t + 1 >= answerStart[i]) {
                        w[i * seqLen + t] = 1f;
                        ans++;
                    }
                }
            }
        }
        float[] emb = null;
        int e = 0;
        if (userEmb != null) {
            e = userEmb.length;
            emb = new float[n * e];
            for (int i = 0; i < n; i++) System.arraycopy(userEmb, 0, emb, i * e, e);
        }
        int[] ui = new int[n];
        int[] hg = null;
        if (hard >= 0) {
            hg = new int[n];
            java.util.Arrays.fill(hg, hard);
        }
        Batch b = new Batch(n, seqLen, tok, tgt, w, km, ui, emb, e, hg, null);
        b.answerTokens = ans;
        return b;
    }

    /** Truncates to seqLen tokens: keeps the whole answer (or its first seqLen-1 tokens) and the end of the prompt. */
    static int[][] fit(Example e, int seqLen) {
        int[] p = e.prompt(), a = e.answer();
        if (a.length >= seqLen) a = java.util.Arrays.copyOf(a, seqLen - 1);
        int room = seqLen - a.length;
        if (p.length > room) p = java.util.Arrays.copyOfRange(p, p.length - room, p.length);
        return new int[][]{p, a};
    }

    public static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * Rows per example that a graph's top layer needs for these examples at seqLen ({@link ModelGraph}'s window): the
     * longest answer (as {@link #fit} keeps it; its loss positions are that many consecutive rows), rounded up to a
     * multiple of 8 so that few graphs serve many example sets, capped at seqLen; seqLen when the head is at every
     * position ({@link #HEAD_AT_LOSS_ROWS_ONLY}).
     */
    public static int windowFor(Iterable<Example> ex, int seqLen) {
        int m = 1;
        for (Example e : ex) m = Math.max(m, fit(e, seqLen)[1].length);
        return windowFor(m, seqLen);
    }

    /** The window of {@link #windowFor(Iterable, int)} for answers of up to {@code answerTokens} tokens. */
    public static int windowFor(int answerTokens, int seqLen) {
        if (!Boolean.parseBoolean(System.getProperty(HEAD_AT_LOSS_ROWS_ONLY, "true"))) return seqLen;
        return Math.min((answerTokens + 7) / 8 * 8, seqLen);
    }

    /**
     * The first position of each row's window of {@code window} consecutive positions holding all its head rows: at
     * its first head row, or earlier where the window would pass the row's end. A row without head rows gets the last
     * window.
     */
    int[] windowStarts(int window) {
        int[] start = new int[rows], last = new int[rows];
        java.util.Arrays.fill(start, seqLen - window);
        java.util.Arrays.fill(last, -1);
        for (int i = headRows.length - 1; i >= 0; i--) {
            int row = headRows[i] / seqLen, pos = headRows[i] % seqLen;
            if (last[row] < 0) last[row] = pos;
            start[row] = Math.min(pos, seqLen - window);
        }
        for (int row = 0; row < rows; row++)
            if (last[row] >= start[row] + window)
                throw new IllegalArgumentException("Cannot feed batch: row " + row + "'s head rows span positions " + start[row]
                        + ".." + last[row] + ", more than the graph's window of " + window);
        return start;
    }

    /** Sequence length for a set of examples: longest, rounded up to a multiple of 8, capped at maxSeqLen. */
    public static int seqLenFor(Iterable<Example> ex, int maxSeqLen) {
        int m = 2;
        for (Example e : ex) m = Math.max(m, e.length());
        int t = (m + 7) / 8 * 8;
        return Math.min(t, maxSeqLen);
    }
}
