package org.proper.model.lm;

import java.io.Serializable;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Serializable float tensor (row-major data + shape); converted to an INDArray only inside graphs. */
public final class Tensor implements Serializable {
    private static final long serialVersionUID = 1L;
    private final long[] shape;
    private final float[] data;

    public Tensor(long[] shape, float[] data) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("Cannot build tensor: negative dimension in " + Arrays.toString(shape));
            n *= s;
        }
        if (n != data.length)
            throw new IllegalArgumentException("Cannot build tensor: shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor zeros(long... shape) {
        long n = 1;
        for (long s : shape) n *= s;
        return new Tensor(shape, new float[Math.toIntExact(n)]);
    }

    public static Tensor of(INDArray a) {
        return new Tensor(a.shape(), a.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    public INDArray toNd(DataType dt) {
        return Nd4j.create(data, shape, 'c').castTo(dt);
    }

    public long[] shape() {
        return shape.clone();
    }

    public long dim(int i) {
        return shape[i];
    }

    public int rank() {
        return shape.length;
    }

    /** The backing array (not copied: treat as read-only). */
    public float[] data() {
        return data;
    }

    public int size() {
        return data.length;
    }

    public Tensor copy() {
        return new Tensor(shape, data.clone());
    }

    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    public double maxAbsDiff(Tensor o) {
        if (!sameShape(o)) throw new IllegalArgumentException("Cannot compare tensors: shapes " + Arrays.toString(shape) + " and " + Arrays.toString(o.shape));
        double m = 0;
        for (int i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i] - o.data[i]));
        return m;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
