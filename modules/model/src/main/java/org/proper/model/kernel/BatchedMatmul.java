package org.proper.model.kernel;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Products of the small matrices of two batched arrays as SameDiff ops computed in Java: C[p] = op(A[p])·op(B[p]) for
 * every index p of the leading axes (the same in A and B), op(X) = X or Xᵀ, one op class per pair ({@link NN},
 * {@link NT}, {@link TN}), each one's gradients being products of the others. The user stage's per-user LoRA products
 * ([U,S,din]·[U,r,din]ᵀ, [U,S,r]·[U,dout,r]ᵀ) and the attention's ([B,H,tq,hd]·[B,H,T,hd]ᵀ, [B,H,tq,T]·[B,H,T,hd])
 * take them where {@link JavaKernels#available}: libnd4j's matmul of rank-3 and rank-4 arrays multiplies the batch's
 * matrices in a plain loop, 4–6 GFLOP/s on these shapes (28 of the 212 ms of a profiled batched user step,
 * OpProfile). Floats are multiplied by {@link VectorMatmul}, doubles (the gradient checks) by a scalar loop.
 * {@code -Dproper.batchedMatmul=false} keeps SameDiff's matmul (ModelBench's A/B).
 */
public final class BatchedMatmul {
    static final String SWITCH = "proper.batchedMatmul";

    static {
        JavaKernels.register(new NN(), new NT(), new TN());
    }

    private BatchedMatmul() {
    }

    /** op(a)·op(b) over the leading axes: one of these ops where {@link JavaKernels#available} and not switched off, else SameDiff's matmul. */
    public static SDVariable mmul(SameDiff sd, SDVariable a, SDVariable b, boolean transA, boolean transB) {
        if (!JavaKernels.available() || !Boolean.parseBoolean(System.getProperty(SWITCH, "true"))) return sd.mmul(a, b, transA, transB, false);
        if (transA && transB) throw new IllegalArgumentException("BatchedMatmul: aᵀ·bᵀ has no op; transpose the product instead");
        return (transA ? new TN(sd, a, b) : transB ? new NT(sd, a, b) : new NN(sd, a, b)).outputVariable();
    }

    /** batches products of op(A) [m,k] and op(B) [k,n]. */
    public record Dims(int batches, int m, int k, int n) {
    }

    /** What the three ops share: the shapes, and the product computed into the session's output. */
    public abstract static class Product extends JavaKernels.Op {
        private final boolean transA, transB;

        Product(boolean transA, boolean transB) {
            this.transA = transA;
            this.transB = transB;
        }

        Product(SameDiff sd, SDVariable a, SDVariable b, boolean transA, boolean transB) {
            super(sd, a, b);
            this.transA = transA;
            this.transB = transB;
        }

        final boolean transA() {
            return transA;
        }

        final boolean transB() {
            return transB;
        }

        public Dims dims(long[] a, long[] b) {
            int r = a.length;
            boolean sameBatch = r >= 2 && b.length == r && Arrays.equals(a, 0, r - 2, b, 0, r - 2);
            int m = (int) (transA() ? a[r - 1] : a[r - 2]), k = (int) (transA() ? a[r - 2] : a[r - 1]);
            int kb = sameBatch ? (int) (transB() ? b[r - 1] : b[r - 2]) : -1, n = sameBatch ? (int) (transB() ? b[r - 2] : b[r - 1]) : -1;
            if (!sameBatch || k != kb)
                throw new IllegalStateException(opName() + ": cannot multiply " + Arrays.toString(a) + " by " + Arrays.toString(b));
            return new Dims(m * k == 0 ? 0 : JavaKernels.length(a) / (m * k), m, k, n);
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray a = oc.getInputArray(0);
            Dims d = dims(a.shape(), oc.getInputArray(1).shape());
            long[] s = a.shape().clone();
            s[s.length - 2] = d.m();
            s[s.length - 1] = d.n();
            return List.of(LongShapeDescriptor.fromShape(s, a.dataType()));
        }

        @Override
        void compute(OpContext oc) {
            INDArray a = JavaKernels.rowMajor(oc.getInputArray(0)), b = JavaKernels.rowMajor(oc.getInputArray(1)), out = oc.getOutputArray(0);
            Dims d = dims(a.shape(), b.shape());
            if (a.dataType() != b.dataType())
                throw new IllegalStateException(opName() + ": inputs of " + a.dataType() + " and " + b.dataType());
            JavaKernels.requireFloatOrDouble(opName(), a.dataType());
            JavaKernels.intoOutput(out, c -> {
                if (a.dataType() == DataType.FLOAT)
                    VectorMatmul.multiply(JavaKernels.bytes(a), JavaKernels.bytes(b), JavaKernels.bytes(c), d, transA(), transB());
                else doubles(a.data().asNioDouble(), b.data().asNioDouble(), c.data().asNioDouble(), d);
            });
        }

        private void doubles(DoubleBuffer a, DoubleBuffer b, DoubleBuffer c, Dims d) {
            int m = d.m(), k = d.k(), n = d.n();
            for (int p = 0; p < d.batches(); p++) {
                int ao = p * m * k, bo = p * k * n, co = p * m * n;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int q = 0; q < k; q++)
                            s += a.get(ao + (transA() ? q * m + i : i * k + q)) * b.get(bo + (transB() ? j * k + q : q * n + j));
                        c.put(co + i * n + j, s);
                    }
                }
            }
        }
    }

    /** C = A·B; dA = dC·Bᵀ, dB = Aᵀ·dC. */
    public static final class NN extends Product {
        public NN() {
            super(false, false);
        }

        NN(SameDiff sd, SDVariable a, SDVariable b) {
            super(sd, a, b, false, false);
        }

        @Override
        public String opName() {
            return "proper_bmm_nn";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            SDVariable dc = grads.get(0);
            return List.of(new NT(sameDiff, dc, arg(1)).outputVariable(), new TN(sameDiff, arg(0), dc).outputVariable());
        }
    }

    /** C = A·Bᵀ; dA = dC·B, dB = dCᵀ·A. */
    public static final class NT extends Product {
        public NT() {
            super(false, true);
        }

        NT(SameDiff sd, SDVariable a, SDVariable b) {
            super(sd, a, b, false, true);
        }

        @Override
        public String opName() {
            return "proper_bmm_nt";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            SDVariable dc = grads.get(0);
            return List.of(new NN(sameDiff, dc, arg(1)).outputVariable(), new TN(sameDiff, dc, arg(0)).outputVariable());
        }
    }

    /** C = Aᵀ·B; dA = B·dCᵀ, dB = A·dC. */
    public static final class TN extends Product {
        public TN() {
            super(true, false);
        }

        TN(SameDiff sd, SDVariable a, SDVariable b) {
            super(sd, a, b, true, false);
        }

        @Override
        public String opName() {
            return "proper_bmm_tn";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            SDVariable dc = grads.get(0);
            return List.of(new NT(sameDiff, arg(1), dc).outputVariable(), new NN(sameDiff, arg(0), dc).outputVariable());
        }
    }
}
