package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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

    public static SDVariable geluNew(SameDiff sd, SDVariable x) {
        return new GeluNew(sd, x).outputVariable();
    }

    public static SDVariable silu(SameDiff sd, SDVariable x) {
        return new Silu(sd, x).outputVariable();
    }

    /**
     * An element-wise op of one or two equal-shape inputs (x, and for a backprop eps = dL/dy) computed in Java: float
     * arrays in their native buffers through {@link #elements}, double arrays (the gradient checks) element by element
     * through {@link #scalar}.
     */
    public abstract static class JavaOp extends JavaKernels.SameShapeOp {
        JavaOp() {
        }

        JavaOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        /** out[i] = f(x[i], e[i]) for i < n, floats in native byte order; e is null for a one-input op. */
        abstract void elements(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n);

        abstract double scalar(double x, double e);

        @Override
        final void floats(ByteBuffer x, ByteBuffer e, ByteBuffer out, long[] shape) {
            elements(x, e, out, JavaKernels.length(shape));
        }

        @Override
        final void doubles(DoubleBuffer x, DoubleBuffer e, DoubleBuffer out, long[] shape) {
            for (int i = 0, n = JavaKernels.length(shape); i < n; i++) out.put(i, scalar(x.get(i), e == null ? 0 : e.get(i)));
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
        void elements(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
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
        void elements(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
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
        void elements(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
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
        void elements(ByteBuffer x, ByteBuffer e, ByteBuffer out, int n) {
            VectorActivations.siluBackprop(x, e, out, n);
        }

        @Override
        double scalar(double x, double e) {
            return e * Activations.siluDerivative(x);
        }
    }
}
