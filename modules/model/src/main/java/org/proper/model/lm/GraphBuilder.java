package org.proper.model.lm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.proper.model.gradient.ClosedFormGradients;
import org.proper.model.gradient.FrozenWeightGradients;
import org.proper.model.gradient.GradientRewrites;
import org.proper.model.gradient.SumGradients;
import org.proper.model.kernel.JavaKernels;

/**
 * One transformer graph under construction, as its builders share it: the SameDiff graph, its sizes (T positions per
 * row, the top layer's window of A), its parameters (a constant, or a trainable variable in a fixed order) and what
 * its pieces declare for the gradient rewrites ({@link GradientRewrites}). The block builders, the attention and the
 * norms build on it; the graph package adds the adapters, the head and the loss.
 */
public final class GraphBuilder {
    private final SameDiff sd;
    private final BaseModel base;
    private final ModelConfig cfg;
    private final DataType dt;
    private final int seqLen, window;
    private final boolean trainBase, frozenPrefix;
    /** Rows are selected by {@link org.proper.model.kernel.RowGather} where {@link JavaKernels#available}. */
    private final boolean javaRows = JavaKernels.available();
    private final List<String> trainable = new ArrayList<>();
    private final Set<String> stacked = new LinkedHashSet<>();
    private final GradientRewrites rewrites = new GradientRewrites();

    /**
     * @param window       positions per row of the top layer (seqLen, or fewer: see the graph's class comment)
     * @param trainBase    the base weights are trainable variables (pretraining), else constants
     * @param frozenPrefix layer 0's adapter-independent outputs are fed ({@link LayerZeroOutputs}) instead of computed
     */
    public GraphBuilder(SameDiff sd, BaseModel base, DataType dt, int seqLen, int window, boolean trainBase, boolean frozenPrefix) {
        this.sd = sd;
        this.base = base;
        this.cfg = base.config();
        this.dt = dt;
        this.seqLen = seqLen;
        this.window = window;
        this.trainBase = trainBase;
        this.frozenPrefix = frozenPrefix;
    }

    public SameDiff sd() {
        return sd;
    }

    public ModelConfig config() {
        return cfg;
    }

    public DataType dataType() {
        return dt;
    }

    /** T: positions per row. */
    public int seqLen() {
        return seqLen;
    }

    /** A: positions per row of the top layer (seqLen when it is not windowed). */
    public int window() {
        return window;
    }

    public boolean frozenPrefix() {
        return frozenPrefix;
    }

    /** Whether rows are selected by the Java row gather (else by ND4J's ops). */
    public boolean javaRows() {
        return javaRows;
    }

    /** Trainable variable names, in the order they were made. */
    public List<String> trainable() {
        return Collections.unmodifiableList(trainable);
    }

    /** Trainable variables whose axis 0 is the user (per-user clipping). */
    public Set<String> stacked() {
        return Collections.unmodifiableSet(stacked);
    }

    public GradientRewrites rewrites() {
        return rewrites;
    }

    /** The closed-form gradient rules declared so far (a piece adds its own). */
    public List<ClosedFormGradients.Rule> closedForms() {
        return rewrites.closedForms();
    }

    /** A parameter: a trainable variable (listed in {@link #trainable}, and in {@link #stacked} when per user) or a constant. */
    public SDVariable param(String name, INDArray value, boolean train, boolean perUser) {
        if (train) {
            trainable.add(name);
            if (perUser) stacked.add(name);
            return sd.var(name, value);
        }
        return sd.constant(name, value);
    }

    /** A base weight: trainable when the base trains, else a constant. */
    public SDVariable w(String name) {
        return param(name, base.weight(name).toNd(dt), trainBase, false);
    }

    /**
     * Columns [from, to) of a base weight in x·W layout [din,dout], or elements [from, to) of a bias [dout]: sliced in
     * the graph when the base trains, else a constant of its own (so that its products' gradients skip it, as for any
     * frozen weight: {@link FrozenWeightGradients}).
     */
    public SDVariable columns(String name, long from, long to) {
        boolean matrix = base.weight(name).rank() == 2;
        if (trainBase) {
            SDVariable v = sd.hasVariable(name) ? sd.getVariable(name) : w(name);
            SDIndex cols = SDIndex.interval(from, to);
            return matrix ? v.get(SDIndex.all(), cols) : v.get(cols);
        }
        INDArray full = base.weight(name).toNd(dt);
        INDArray part = matrix ? full.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to)) : full.get(NDArrayIndex.interval(from, to));
        return sd.constant(name + "[" + from + ":" + to + "]", part.dup());
    }

    /**
     * The token embeddings of tokens [B,T] from the embedding matrix emb [V,d] → [N,d], or null when layer 0's frozen
     * outputs are fed instead: a gather, or a one-hot product when the base trains.
     */
    public SDVariable embedTokens(SDVariable emb, SDVariable tokens) {
        return frozenPrefix ? null : trainBase
                ? sd.mmul(sd.oneHot(tokens.reshape(-1), cfg.vocabSize(), -1, 1.0, 0.0, dt), emb)              // [N,V]·[V,d]
                : sd.gather(emb, tokens.reshape(-1), 0);                                                   // [N,d]
    }

    /**
     * The first T rows of a base weight [rows,d] (GPT-2's learned positions): sliced in the graph when the base trains,
     * else a constant named {@code constantName}.
     */
    public SDVariable firstRows(String name, String constantName) {
        int t = seqLen;
        INDArray all = base.weight(name).toNd(dt);
        return trainBase
                ? w(name).get(SDIndex.interval(0, t))
                : sd.constant(constantName, all.get(NDArrayIndex.interval(0, t)).dup());               // [T,d]
    }

    /** A layer without adapters: y = xW (+b); W [din,dout] when inOut, else [dout,din]. */
    public SDVariable linear(SDVariable x, SDVariable wt, SDVariable bias, boolean inOut) {
        SDVariable y = inOut ? sd.mmul(x, wt) : sd.mmul(x, wt, false, true, false);                      // [N,dout]
        return bias == null ? y : plusVector(y, bias);
    }

    /** a + b of equal shapes: declared so that the gradient function hands dL/dy to both as it is ({@link SumGradients}). */
    public SDVariable plus(SDVariable a, SDVariable b) {
        rewrites.sum(a.name(), b.name());
        return a.add(b);
    }

    /** x + v, v a [d] vector along the last axis of x [N,d]: declared so that dL/dx skips dL/dv ({@link FrozenWeightGradients}). */
    public SDVariable plusVector(SDVariable x, SDVariable v) {
        rewrites.vectorOperand(x.name(), v.name());
        return x.add(v);
    }

    /** x · v, v a [d] vector along the last axis of x [N,d] (declared like {@link #plusVector}). */
    public SDVariable timesVector(SDVariable x, SDVariable v) {
        rewrites.vectorOperand(x.name(), v.name());
        return x.mul(v);
    }
}
