package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Rows of a matrix by index, x [N,c] and idx [M] → x[idx] [M,c], as one SameDiff op each way computed in Java: the
 * forward copies the rows, the backward adds dL/dy's rows into zeros [N,c]. The top layer's window rows and the LM
 * head's loss rows are taken this way. ND4J's own choices cost more: its gather's backward is a chain of ops that fails
 * on these shapes; a batched matmul with a one-hot selection [B,A,T] (the window) does 2·B·A·T·c multiply-adds each
 * way and computes a gradient for the selection too; dynamic_partition (the head) is a general partition, ~2 ms a
 * step for the default model's batched users. Graphs take them where {@link JavaKernels#available}.
 */
public final class RowGather {
    static {
        JavaKernels.register(new Gather(), new GatherBackprop());
    }

    private RowGather() {
    }

    /** x[idx]: x [N,c], idx an INT vector [M] of row numbers → [M,c]. */
    public static SDVariable rows(SameDiff sd, SDVariable x, SDVariable idx) {
        return new Gather(sd, x, idx).outputVariable();
    }

    /** What both ops share: their indices and x checked. */
    abstract static class RowOp extends JavaKernels.Op {
        RowOp() {
        }

        RowOp(SameDiff sd, SDVariable... inputs) {
            super(sd, inputs);
        }

        /** The row numbers, each checked against x's N rows. */
        int[] indices(INDArray idx, long rows) {
            int[] r = idx.toIntVector();
            for (int i = 0; i < r.length; i++)
                if (r[i] < 0 || r[i] >= rows)
                    throw new IllegalStateException(opName() + ": index " + r[i] + " at " + i + " outside the " + rows + " rows");
            return r;
        }

        /** x as a row-major [N,c] array, its type checked. */
        INDArray matrix(INDArray x) {
            if (x.rank() != 2) throw new IllegalStateException(opName() + ": x of shape " + java.util.Arrays.toString(x.shape()) + ", not [N,c]");
            JavaKernels.requireFloatOrDouble(opName(), x.dataType());
            return JavaKernels.rowMajor(x);
        }
    }

    /** y = x[idx]; its gradient is {@link GatherBackprop}. */
    public static final class Gather extends RowOp {
        public Gather() {
        }

        Gather(SameDiff sd, SDVariable x, SDVariable idx) {
            super(sd, x, idx);
        }

        @Override
        public String opName() {
            return "proper_gather_rows";
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray x = oc.getInputArray(0), idx = oc.getInputArray(1);
            return List.of(LongShapeDescriptor.fromShape(new long[]{idx.length(), x.size(1)}, x.dataType()));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> grads) {
            return List.of(new GatherBackprop(sameDiff, arg(0), arg(1), grads.get(0)).outputVariable(), sameDiff.zerosLike(arg(1)));
        }

        @Override
        void compute(OpContext oc) {
            INDArray x = matrix(oc.getInputArray(0)), out = oc.getOutputArray(0);
            int[] idx = indices(oc.getInputArray(1), x.size(0));
            int rowBytes = Math.toIntExact(x.size(1) * x.dataType().width());
            ByteBuffer src = x.data().asNio();
            JavaKernels.intoOutput(out, y -> {
                ByteBuffer dst = y.data().asNio();
                for (int r = 0; r < idx.length; r++) dst.put(r * rowBytes, src, idx[r] * rowBytes, rowBytes);
            });
        }
    }

    /** dL/dx [N,c] from x (its shape), idx and eps = dL/dy [M,c]: zeros but dL/dx[idx[r]] += eps[r], r in order. */
    public static final class GatherBackprop extends RowOp {
        public GatherBackprop() {
        }

        GatherBackprop(SameDiff sd, SDVariable x, SDVariable idx, SDVariable eps) {
            super(sd, x, idx, eps);
        }

        @Override
        public String opName() {
            return "proper_gather_rows_bp";
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext oc) {
            INDArray x = oc.getInputArray(0);
            return List.of(LongShapeDescriptor.fromShape(x.shape(), x.dataType()));
        }

        private static boolean distinct(int[] idx, long rows) {
            boolean[] seen = new boolean[Math.toIntExact(rows)];
            for (int i : idx) {
                if (seen[i]) return false;
                seen[i] = true;
            }
            return true;
        }

        @Override
        void compute(OpContext oc) {
            INDArray x = oc.getInputArray(0), eps = matrix(oc.getInputArray(2)), out = oc.getOutputArray(0);
            int[] idx = indices(oc.getInputArray(1), x.size(0));
            int c = Math.toIntExact(x.size(1));
            if (eps.size(0) != idx.length || eps.size(1) != c)
                throw new IllegalStateException(opName() + ": dL/dy " + java.util.Arrays.toString(eps.shape()) + " for " + idx.length + " rows of " + c);
            boolean distinct = distinct(idx, x.size(0));
            JavaKernels.intoOutput(out, dx -> {
                dx.assign(0);
                if (distinct) {                                            // each row of dL/dx is one row of eps, or zeros
                    int rowBytes = c * x.dataType().width();
                    ByteBuffer e = eps.data().asNio(), d = dx.data().asNio();
                    for (int r = 0; r < idx.length; r++) d.put(idx[r] * rowBytes, e, r * rowBytes, rowBytes);
                } else if (x.dataType() == DataType.FLOAT) {
                    ByteBuffer e = JavaKernels.bytes(eps), d = JavaKernels.bytes(dx);
                    for (int r = 0; r < idx.length; r++)
                        for (int j = 0, eo = 4 * r * c, dOff = 4 * idx[r] * c; j < c; j++)
                            d.putFloat(dOff + 4 * j, d.getFloat(dOff + 4 * j) + e.getFloat(eo + 4 * j));
                } else {
                    java.nio.DoubleBuffer e = eps.data().asNioDouble(), d = dx.data().asNioDouble();
                    for (int r = 0; r < idx.length; r++)
                        for (int j = 0; j < c; j++) d.put(idx[r] * c + j, d.get(idx[r] * c + j) + e.get(r * c + j));
                }
            });
        }
    }
}
