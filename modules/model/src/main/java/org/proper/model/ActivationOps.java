package org.proper.model;

import java.nio.ByteBuffer;
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
 * The base model's activations ({@link Activations}) as one SameDiff op each, forward and backprop, computed in Java
 * by {@link ModelSession} with {@link VectorActivations}. ND4J has no gelu_new op: as SameDiff ops it is six passes
 * over the [N,f] hidden forward and, with its closed-form gradient, seven back; here it is one pass each way, and
 * the backprop recomputes σ from x instead of keeping it. In a batched user step of the default model the two take
 * 4.6 ms (OpProfile), and batched users train 1.23× as fast as with ND4J's ops (ModelBench's A/B). Graphs take them
 * where {@link JavaKernels#available}.
 */
public final class ActivationOps {
    static {
        JavaKernels.register(new GeluNew(), new GeluNewBackprop(), new Silu(), new SiluBackprop());
    }

    private ActivationOps() {
    }

    static SDVariable geluNew(SameDiff sd, SDVariable x) {
        return new GeluNew(sd, x).outputVariable();
    }

    static SDVariable silu(SameDiff sd, SDVariable x) {
        return new Silu(sd, x).outputVariable();
    }

    /**
     * An element-wise op of one or two equal-shape inputs (x, and for a backprop eps = dL/dy) computed in Java: float
     * arrays in their native buffers through {@link #floats}, double arrays (the gradient checks) element by element
     * through {@link #scalar}.
     */
    public abstract static class JavaOp extends JavaKernels.Op {
        JavaOp() {
        }

        JavaOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        /** out[i] = f(x[i], e[i]) for i < n, floats in native byte order; e is null for a one-input op. */
        abstract void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n);

        abstract double scalar(double x, double e);

        @Override
        public abstract String opName();

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray x = oc.getInputArray(0);
            return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
        }

        /**
         * Computes the output the session allocated (see {@link ModelSession}), reading and writing ND4J's buffers in
         * place; an input that is not a row-major array from the start of its buffer is copied first.
         */
        @Override
        void compute(OpContext oc) {
            INDArray x = JavaKernels.rowMajor(oc.getInputArray(0));
            INDArray e = oc.numInputArguments() > 1 ? JavaKernels.rowMajor(oc.getInputArray(1)) : null, out = oc.getOutputArray(0);
            if (e != null && e.length() != x.length())
                throw new IllegalStateException(opName() + ": inputs of " + x.length() + " and " + e.length() + " elements");
            INDArray y = JavaKernels.isRowMajor(out) ? out : Nd4j.create(x.dataType(), x.shape(), 'c');
            int n = Math.toIntExact(x.length());
            if (x.dataType() == DataType.FLOAT) {
                floats(JavaKernels.bytes(x), e == null ? null : JavaKernels.bytes(e), JavaKernels.bytes(y), n);
            } else if (x.dataType() == DataType.DOUBLE) {
                DoubleBuffer xb = x.data().asNioDouble(), eb = e == null ? null : e.data().asNioDouble(), yb = y.data().asNioDouble();
                for (int i = 0; i < n; i++) yb.put(i, scalar(xb.get(i), eb == null ? 0 : eb.get(i)));
            } else {
                throw new IllegalStateException("Cannot compute " + opName() + " on " + x.dataType() + ": FLOAT or DOUBLE only");
            }
            if (y != out) out.assign(y);
        }
    }

    /** y = gelu_new(x); its gradient is {@link GeluNewBackprop}. */
    public static final class GeluNew extends JavaOp {
        public GeluNew() {
        }

        GeluNew(SameDiff sd, SDVariable x) {
            super(sd, x);
        }

        @Override
        public String opName() {
            return "proper_gelu_new";
        }

        @Override
        void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
            VectorActivations.geluNew(x, out, n);
        }

        @Override
        double scalar(double x, double e) {
            return Activations.geluNew(x);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            return List.of(new GeluNewBackprop(sameDiff, arg(), grads.get(0)).outputVariable());
        }
    }

    /** dL/dx = eps·gelu_new'(x) from x and eps = dL/dy. */
    public static final class GeluNewBackprop extends JavaOp {
        public GeluNewBackprop() {
        }

        GeluNewBackprop(SameDiff sd, SDVariable x, SDVariable eps) {
            super(sd, x, eps);
        }

        @Override
        public String opName() {
            return "proper_gelu_new_bp";
        }

        @Override
        void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
            VectorActivations.geluNewBackprop(x, e, out, n);
        }

        @Override
        double scalar(double x, double e) {
            return e * Activations.geluNewDerivative(x);
        }
    }

    /** y = silu(x); its gradient is {@link SiluBackprop}. */
    public static final class Silu extends JavaOp {
        public Silu() {
        }

        Silu(SameDiff sd, SDVariable x) {
            super(sd, x);
        }

        @Override
        public String opName() {
            return "proper_silu";
        }

        @Override
        void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
            VectorActivations.silu(x, out, n);
        }

        @Override
        double scalar(double x, double e) {
            return Activations.silu(x);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            return List.of(new SiluBackprop(sameDiff, arg(), grads.get(0)).outputVariable());
        }
    }

    /** dL/dx = eps·silu'(x) from x and eps = dL/dy. */
    public static final class SiluBackprop extends JavaOp {
        public SiluBackprop() {
        }

        SiluBackprop(SameDiff sd, SDVariable x, SDVariable eps) {
            super(sd, x, eps);
        }

        @Override
        public String opName() {
            return "proper_silu_bp";
        }

        @Override
        void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
            VectorActivations.siluBackprop(x, e, out, n);
        }

        @Override
        double scalar(double x, double e) {
            return e * Activations.siluDerivative(x);
        }
    }
}
