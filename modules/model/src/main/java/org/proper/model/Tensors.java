package org.proper.model;

import java.util.List;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Small helpers on {@link Tensor}s and ND4J arrays. */
final class Tensors {
    private Tensors() {
    }

    static Tensor mean(List<Tensor> ts) {
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
     * The array's elements lie in its buffer from the buffer's start, one after another in the array's order: index i
     * of {@code a.data().asNioFloat()} (or {@code asNioDouble()}) is element i.
     */
    static boolean fromBufferStart(INDArray a) {
        return a.offset() == 0 && a.elementWiseStride() == 1 && a.data().length() >= a.length();
    }
}
