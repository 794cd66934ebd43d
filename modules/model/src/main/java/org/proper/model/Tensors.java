package org.proper.model;

import java.util.List;

/** Small helpers on {@link Tensor}s. */
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
}
