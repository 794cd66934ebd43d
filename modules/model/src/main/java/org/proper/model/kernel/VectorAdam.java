package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link org.proper.model.train.AdamW}'s float update in the CPU's SIMD lanes: per element the same IEEE multiplications, additions, square
 * root and division in the same order as its scalar loop (Java fuses none), so the two give the same bits, whatever
 * the vector width; the elements past the last full vector take the scalar loop. Buffers as {@link JavaKernels#bytes}
 * gives them. Loaded only where the JVM has {@code jdk.incubator.vector} ({@link JavaKernels#available}).
 */
public final class VectorAdam {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorAdam() {
    }

    /** Elements [0, returned) updated: every full vector's; the caller's scalar loop takes the rest. */
    public static int update(ByteBuffer p, ByteBuffer m, ByteBuffer v, ByteBuffer g, int n, float b1, float b2, float mScale,
                      float vScale, float eps, float decay) {
        float c1 = 1 - b1, c2 = 1 - b2;
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector gi = load(g, i);
            FloatVector mi = load(m, i).mul(b1).add(gi.mul(c1));
            FloatVector vi = load(v, i).mul(b2).add(gi.mul(c2).mul(gi));
            mi.intoByteBuffer(m, 4 * i, NATIVE);
            vi.intoByteBuffer(v, 4 * i, NATIVE);
            load(p, i).mul(decay).sub(mi.mul(mScale).div(vi.mul(vScale).sqrt().add(eps))).intoByteBuffer(p, 4 * i, NATIVE);
        }
        return i;
    }

    private static FloatVector load(ByteBuffer b, int i) {
        return FloatVector.fromByteBuffer(S, b, 4 * i, NATIVE);
    }
}
