package org.proper.model;

import java.nio.DoubleBuffer;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax along the last axis as one SameDiff op each way computed in Java ({@link VectorActivations#softmax}):
 * y = e^(x − max) / Σ e^(x − max), and dL/dx = y ⊙ (dL/dy − Σ dL/dy·y) from y itself, so the backward reads the
 * forward's output instead of recomputing it. The attention's scores [B,H,tq,T] take it where
 * {@link JavaKernels#available}: rows of T ≤ a few hundred floats, where libnd4j's softmax and softmax_bp, reducing
 * along the last axis of a rank-4 array, cost ~4 ms per batched user step of the default model.
 */
public final class Softmax {
    static {
        JavaKernels.register(new Forward(), new Backprop());
    }

    private Softmax() {
    }

    /** softmax(x) along x's last axis. */
    static SDVariable lastAxis(SameDiff sd, SDVariable x) {
        return new Forward(sd, x).outputVariable();
    }

    /** What both ops share: the output of the first input's shape, computed on rows of the last axis. */
    abstract static class RowsOp extends JavaKernels.Op {
        RowsOp() {
        }

        RowsOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray x = oc.getInputArray(0);
            return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
        }

        /** Computes rows of n: floats by {@link #floats}, doubles (the gradient checks) by {@link #doubles}. */
        @Override
        void compute(OpContext oc) {
            INDArray a = JavaKernels.rowMajor(oc.getInputArray(0));
            INDArray e = oc.numInputArguments() > 1 ? JavaKernels.rowMajor(oc.getInputArray(1)) : null, out = oc.getOutputArray(0);
            if (e != null && e.length() != a.length())
                throw new IllegalStateException(opName() + ": inputs of " + a.length() + " and " + e.length() + " elements");
            INDArray y = JavaKernels.isRowMajor(out) ? out : Nd4j.create(a.dataType(), a.shape(), 'c');
            int n = Math.toIntExact(a.size(-1)), m = Math.toIntExact(a.length() / Math.max(n, 1));
            if (a.dataType() == DataType.FLOAT) {
                floats(a, e, y, m, n);
            } else if (a.dataType() == DataType.DOUBLE) {
                doubles(a.data().asNioDouble(), e == null ? null : e.data().asNioDouble(), y.data().asNioDouble(), m, n);
            } else {
                throw new IllegalStateException("Cannot compute " + opName() + " on " + a.dataType() + ": FLOAT or DOUBLE only");
            }
            if (y != out) out.assign(y);
        }

        abstract void floats(INDArray a, INDArray e, INDArray out, int m, int n);

        abstract void doubles(DoubleBuffer a, DoubleBuffer e, DoubleBuffer out, int m, int n);
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
        void floats(INDArray x, INDArray e, INDArray out, int m, int n) {
            VectorActivations.softmax(JavaKernels.bytes(x), JavaKernels.bytes(out), m, n);
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
        void floats(INDArray y, INDArray eps, INDArray dx, int m, int n) {
            VectorActivations.softmaxBackprop(JavaKernels.bytes(y), JavaKernels.bytes(eps), JavaKernels.bytes(dx), m, n);
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
