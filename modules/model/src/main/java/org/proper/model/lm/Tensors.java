package org.proper.model.lm;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.kernel.JavaKernels;

/** Small helpers on {@link Tensor}s and ND4J arrays. */
public final class Tensors {
    private Tensors() {
    }

    public static Tensor mean(List<Tensor> ts) {
        Tensor first = ts.get(0);
        double[] acc = new double[first.size()];
        for (Tensor t : ts) {
            if (!t.sameShape(first)) throw new IllegalArgumentException("Cannot average tensors: shapes differ " + t + " vs " + first);
            float[] d = t.data();
            for (int i = 0; i < acc.length; i++) acc[i] += d[i];
        }
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) out[i] = (float) (acc[i] / ts.size());
        return new Tensor(first.shape(), out);
    }

    /**
     * Writes t into slot u of a stacked [U, …] array (the per-user parameters of a batched graph): one copy into the
     * array's native buffer, where slot u's elements lie from u·|t| on, instead of ND4J's slice, create, cast and assign
     * (~25 µs per tensor, 12 tensors per user, twice per user and call). Arrays laid out otherwise take the slice path.
     */
    public static void writeSlot(INDArray stacked, int u, Tensor t) {
        long[] slot = requireSlot(stacked, u);
        if (!Arrays.equals(slot, t.shape()))
            throw new IllegalArgumentException("Cannot write a " + t + " into a slot of " + Arrays.toString(stacked.shape()));
        float[] d = t.data();
        if (!plainSlots(stacked)) {
            stacked.slice(u).assign(t.toNd(stacked.dataType()));
        } else if (stacked.dataType() == DataType.FLOAT) {
            stacked.data().asNioFloat().put(u * d.length, d);
        } else {
            DoubleBuffer b = stacked.data().asNioDouble();
            for (int i = 0, o = u * d.length; i < d.length; i++) b.put(o + i, d[i]);
        }
    }

    /** Slot u of a stacked [U, …] array as a float tensor of the slot's shape ({@link #writeSlot}'s inverse). */
    public static Tensor readSlot(INDArray stacked, int u) {
        long[] shape = requireSlot(stacked, u);
        if (!plainSlots(stacked)) return Tensor.of(stacked.slice(u));
        int n = (int) (stacked.length() / stacked.size(0));
        float[] d = new float[n];
        if (stacked.dataType() == DataType.FLOAT) {
            stacked.data().asNioFloat().get(u * n, d);
        } else {
            DoubleBuffer b = stacked.data().asNioDouble();
            for (int i = 0; i < n; i++) d[i] = (float) b.get(u * n + i);
        }
        return new Tensor(shape, d);
    }

    private static boolean plainSlots(INDArray a) {
        return a.ordering() == 'c' && JavaKernels.fromBufferStart(a) && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE);
    }

    /** The shape of a slot of a stacked array, after checking that slot u is one of its U. */
    private static long[] requireSlot(INDArray stacked, int u) {
        if (u < 0 || u >= stacked.size(0))
            throw new IndexOutOfBoundsException("No slot " + u + " in a stacked array of " + stacked.size(0) + " " + Arrays.toString(stacked.shape()));
        return Arrays.copyOfRange(stacked.shape(), 1, stacked.rank());
    }
}
