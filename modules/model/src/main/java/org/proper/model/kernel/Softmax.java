package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Softmax along the last axis as one SameDiff op each way computed in Java ({@link VectorActivations#softmax}):
 * y = e^(x − max) / Σ e^(x − max), and dL/dx = y ⊙ (dL/dy − Σ dL/dy·y) from y itself, so the backward reads the
 * forward's output instead of recomputing it. The attention's scores [B,H,tq,T] take it where
 * {@link JavaKernels#available}: rows of T ≤ a few hundred floats, where libnd4j's softmax and softmax_bp, reducing
 * along the last axis of a rank-4 array, take 5.2 ms of a batched user step of the default model (0.8 ms here).
 */
public final class Softmax {
    static {
        JavaKernels.register(new Forward(), new Backprop());
    }

    private Softmax() {
    }

    /** softmax(x) along x's last axis. */
    public static SDVariable lastAxis(SameDiff sd, SDVariable x) {
        return new Forward(sd, x).outputVariable();
    }

    /** What both ops share: rows of the last axis, m rows of n. */
    abstract static class RowsOp extends JavaKernels.SameShapeOp {
        RowsOp() {
        }

        RowsOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        abstract void floats(ByteBuffer a, ByteBuffer e, ByteBuffer out, int m, int n);

        abstract void doubles(DoubleBuffer a, DoubleBuffer e, DoubleBuffer out, int m, int n);

        @Override
        final void floats(ByteBuffer a, ByteBuffer e, ByteBuffer out, long[] shape) {
            int n = Math.toIntExact(shape[shape.length - 1]);
            floats(a, e, out, n == 0 ? 0 : JavaKernels.length(shape) / n, n);
        }

        @Override
        final void doubles(DoubleBuffer a, DoubleBuffer e, DoubleBuffer out, long[] shape) {
            int n = Math.toIntExact(shape[shape.length - 1]);
            doubles(a, e, out, n == 0 ? 0 : JavaKernels.length(shape) / n, n);
        }
    }

    /** y = softmax(x) along the last axis; its gradient is {@link Backprop}. */
    public static final class Forward extends RowsOp {
        public Forward() {
        }

        Forward(SameDiff sd, SDVariable x) {
            super(sd, x);
        }

        @Override
        public String opName() {
            return "proper_softmax";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            return List.of(new Backprop(sameDiff, outputVariable(), grads.get(0)).outputVariable());
        }

        @Override
        void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int m, int n) {
            VectorActivations.softmax(x, out, m, n);
        }

        @Override
        void doubles(DoubleBuffer x, DoubleBuffer e, DoubleBuffer y, int m, int n) {
            for (int o = 0; o < m * n; o += n) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = 0; j < n; j++) max = Math.max(max, x.get(o + j));
                for (int j = 0; j < n; j++) sum += Math.exp(x.get(o + j) - max);
                for (int j = 0; j < n; j++) y.put(o + j, Math.exp(x.get(o + j) - max) / sum);
            }
        }
    }

    /** dL/dx from y = softmax(x) and eps = dL/dy. */
    public static final class Backprop extends RowsOp {
        public Backprop() {
        }

        Backprop(SameDiff sd, SDVariable y, SDVariable eps) {
            super(sd, y, eps);
        }

        @Override
        public String opName() {
            return "proper_softmax_bp";
        }

        @Override
        void floats(ByteBuffer y, ByteBuffer eps, ByteBuffer dx, int m, int n) {
            VectorActivations.softmaxBackprop(y, eps, dx, m, n);
        }

        @Override
        void doubles(DoubleBuffer y, DoubleBuffer eps, DoubleBuffer dx, int m, int n) {
            for (int o = 0; o < m * n; o += n) {
                double dot = 0;
                for (int j = 0; j < n; j++) dot += eps.get(o + j) * y.get(o + j);
                for (int j = 0; j < n; j++) dx.put(o + j, y.get(o + j) * (eps.get(o + j) - dot));
            }
        }
    }
}
