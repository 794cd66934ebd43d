package org.proper.model.graph;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.kernel.ModelSession;
import org.proper.model.kernel.StepArrays;
import org.proper.model.lm.Attention;
import org.proper.model.lm.BlockBuilder;
import org.proper.model.lm.GraphBuilder;

/**
 * A batch into a graph's placeholders, and each call's memory: every call on the graph starts here, recycling the
 * previous call's arrays ({@link StepArrays}) on this thread. Checks the batch against the graph and refuses what
 * would index past the model's arrays.
 */
final class BatchFeed {
    /** -Dproper.reuseArrays=false falls back to SameDiff's own session memory manager. */
    static final boolean REUSE_ARRAYS = Boolean.parseBoolean(System.getProperty("proper.reuseArrays", "true"));

    private final SameDiff sd;
    private final GraphBuilder gb;
    private final Attention attention;
    private final BlockBuilder blocks;
    private final AdapterWiring adapters;

    BatchFeed(GraphBuilder gb, Attention attention, BlockBuilder blocks, AdapterWiring adapters) {
        this.sd = gb.sd();
        this.gb = gb;
        this.attention = attention;
        this.blocks = blocks;
        this.adapters = adapters;
    }

    /**
     * Starts a call on this thread: the sessions of the graph and of its gradient function use {@link StepArrays}, and
     * the previous call's arrays are recycled (its results must have been read by now).
     */
    private void beginCall() {
        if (!REUSE_ARRAYS) return;
        long tid = Thread.currentThread().getId();
        for (SameDiff s : graphAndGradient()) {
            InferenceSession session = s.getSessions().computeIfAbsent(tid, k -> new ModelSession(s));
            if (session.getMmgr() instanceof StepArrays arrays) arrays.recycle();
            else session.setMmgr(new StepArrays());
        }
    }

    /** The graph and, once a gradient was asked for, its gradient function: each has its own sessions. */
    private List<SameDiff> graphAndGradient() {
        SameDiff grad = sd.getFunction("grad");
        return grad == null ? List.of(sd) : List.of(sd, grad);
    }

    /** Frees this thread's reusable arrays of the graph (the graph stays usable; its next call allocates afresh). */
    void releaseArrays() {
        long tid = Thread.currentThread().getId();
        for (SameDiff s : graphAndGradient()) {
            InferenceSession session = s.getSessions().get(tid);
            if (session != null && session.getMmgr() instanceof StepArrays arrays) arrays.close();
        }
    }

    /** The batch as placeholders of a graph of this spec, at the start of every call on the graph (see {@link #beginCall}). */
    Map<String, INDArray> feed(Batch b, GraphSpec spec) {
        beginCall();
        int seqLen = gb.seqLen();
        DataType dt = gb.dataType();
        if (b.seqLen != seqLen) throw new IllegalArgumentException("Cannot feed batch: seqLen " + b.seqLen + " != graph " + seqLen);
        checkVocabulary(b);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("tokens", Nd4j.createFromArray(b.tokens).reshape(b.rows, seqLen));
        if (gb.frozenPrefix()) {
            if (b.prefix == null) throw new IllegalArgumentException("Cannot feed batch: the graph takes layer 0's frozen outputs and the batch has none");
            ph.putAll(b.prefix);
        }
        int m = b.headRows.length;
        int[] tgt = new int[m];
        float[] w = new float[m];
        for (int k = 0; k < m; k++) {
            tgt[k] = b.targets[b.headRows[k]];
            w[k] = b.weights[b.headRows[k]];
        }
        int[] headMask = gb.window() < seqLen ? feedWindows(b, ph) : mask(b.rows * seqLen, b.headRows);  // over the head's input rows
        if (gb.javaRows()) ph.put("headRows", Nd4j.createFromArray(ones(headMask)));
        else ph.put("headPartition", Nd4j.createFromArray(headMask));
        ph.put("targets", Nd4j.createFromArray(tgt));
        ph.put("weights", Nd4j.createFromArray(w).castTo(dt));
        ph.put("keyMask", Nd4j.createFromArray(b.keyMask).reshape(b.rows, seqLen).castTo(dt));
        if (adapters.needsUserEmbedding()) {
            if (b.userEmb == null) throw new IllegalArgumentException("Cannot feed batch: the router needs user embeddings");
            ph.put("userEmb", Nd4j.createFromArray(b.userEmb).reshape(b.rows, b.embDim).castTo(dt));
        }
        if (adapters.needsHardGate()) {
            if (b.hardGroup == null) throw new IllegalArgumentException("Cannot feed batch: hard routing needs each row's cluster");
            INDArray g = Nd4j.zeros(dt, b.rows, spec.experts().k());
            for (int i = 0; i < b.rows; i++) g.putScalar(i, b.hardGroup[i], 1.0);
            ph.put("hardGate", g);
        }
        if (spec.users() != null && b.rows % spec.users().size() != 0)
            throw new IllegalArgumentException("Cannot feed batch: " + b.rows + " rows are not " + spec.users().size() + " users × equal rows");
        return ph;
    }

    /**
     * Every token and target must index the embedding and head: ND4J's gather does not check its indices, so an id
     * outside the vocabulary (a tokenizer that does not match the base model) would crash the JVM, not fail the task.
     * The targets are the same sequences shifted by one, so checking the tokens checks them too.
     */
    private void checkVocabulary(Batch b) {
        int v = gb.config().vocabSize(), seqLen = gb.seqLen();
        for (int i = 0; i < b.tokens.length; i++)
            if (b.tokens[i] < 0 || b.tokens[i] >= v)
                throw new IllegalArgumentException("Cannot feed batch: token id " + b.tokens[i] + " (row " + i / seqLen
                        + ", position " + i % seqLen + ") is outside the base model's vocabulary of " + v
                        + " ids; the tokenizer does not match the model");
    }

    /**
     * Feeds the top layer's windows (the attention's window rows and bias, and the family's own window inputs) and
     * returns the head rows' mask over the window rows [B·A].
     */
    private int[] feedWindows(Batch b, Map<String, INDArray> ph) {
        int t = gb.seqLen(), a = gb.window();
        int[] start = b.windowStarts(a), head = new int[b.rows * a];
        for (int i : b.headRows) head[i / t * a + i % t - start[i / t]] = 1;
        attention.feedWindows(b.rows, start, b.keyMask, ph);
        blocks.feedWindows(b.rows, start, ph);
        return head;
    }

    /** The positions of a mask's ones, in order (the rows dynamic_partition would take). */
    private static int[] ones(int[] mask) {
        return java.util.stream.IntStream.range(0, mask.length).filter(i -> mask[i] != 0).toArray();
    }

    private static int[] mask(int n, int[] ones) {
        int[] m = new int[n];
        for (int i : ones) m[i] = 1;
        return m;
    }
}
