package org.proper.model;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchedMatmul}'s float products with the JDK's vector API: for each batch index, C [m,n] = op(A)·op(B) from
 * and into ND4J's buffers (native byte order, row-major). Each matrix is copied to a per-thread heap array first,
 * transposed where the chosen form needs it (small: the shapes it serves have one side of a few rows), in one of
 * three forms:
 * <ul>
 *   <li>rows, where n fills a vector: each vector of C's row i is Σ_q op(A)[i,q]·op(B)[q,·], four rows at a time;</li>
 *   <li>transposed rows, where n does not but m does and A comes transposed (a gradient dB = dCᵀ·X): Cᵀ by rows from
 *       op(B)ᵀ and op(A)ᵀ = A as stored, then transposed;</li>
 *   <li>dots, else (n a LoRA rank or an expert count): C[i,j] = op(A)[i,·]·op(B)ᵀ[j,·] along k.</li>
 * </ul>
 * Loaded only where the JVM has the {@code jdk.incubator.vector} module ({@link JavaKernels#available}).
 */
final class VectorMatmul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Per thread: op(A) or its transpose, op(B) or its transpose, C or Cᵀ, and a block to transpose from. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private VectorMatmul() {
    }

    static void multiply(ByteBuffer a, ByteBuffer b, ByteBuffer c, BatchedMatmul.Dims d, boolean transA, boolean transB) {
        int m = d.m(), k = d.k(), n = d.n();
        FloatBuffer fa = a.asFloatBuffer(), fb = b.asFloatBuffer(), fc = c.asFloatBuffer();
        float[] x = scratch(0, m * k), y = scratch(1, k * n), z = scratch(2, m * n), t = scratch(3, Math.max(m * k, Math.max(k * n, m * n)));
        boolean rows = n >= L, transposedRows = !rows && m >= L && transA;
        for (int p = 0; p < d.batches(); p++) {
            int ao = p * m * k, bo = p * k * n, co = p * m * n;
            if (rows) {
                block(fa, ao, transA ? k : m, transA ? m : k, transA, x, t);          // op(A) [m,k]
                block(fb, bo, transB ? n : k, transB ? k : n, transB, y, t);          // op(B) [k,n]
                rows(x, y, z, m, k, n);
            } else if (transposedRows) {
                block(fa, ao, k, m, false, x, t);                                     // op(A)ᵀ = A [k,m]
                block(fb, bo, transB ? n : k, transB ? k : n, !transB, y, t);         // op(B)ᵀ [n,k]
                rows(y, x, t, n, k, m);                                               // Cᵀ [n,m]
                transpose(t, z, n, m);
            } else {
                block(fa, ao, transA ? k : m, transA ? m : k, transA, x, t);          // op(A) [m,k]
                block(fb, bo, transB ? n : k, transB ? k : n, !transB, y, t);         // op(B)ᵀ [n,k]
                dots(x, y, z, m, k, n);
            }
            fc.put(co, z, 0, m * n);
        }
    }

    /** The block [r,c] at off of src into dst as it is, or transposed to [c,r] through tmp. */
    private static void block(FloatBuffer src, int off, int r, int c, boolean transpose, float[] dst, float[] tmp) {
        if (!transpose) {
            src.get(off, dst, 0, r * c);
            return;
        }
        src.get(off, tmp, 0, r * c);
        transpose(tmp, dst, r, c);
    }

    /** dst [c,r] = srcᵀ, src [r,c]. */
    private static void transpose(float[] src, float[] dst, int r, int c) {
        for (int i = 0; i < r; i++)
            for (int j = 0; j < c; j++) dst[j * r + i] = src[i * c + j];
    }

    /** z [m,n] = x [m,k] · y [k,n]. */
    static void rows(float[] x, float[] y, float[] z, int m, int k, int n) {
        int jEnd = S.loopBound(n), i = 0;
        for (; i + 4 <= m; i += 4) {
            int x0 = i * k, x1 = x0 + k, x2 = x1 + k, x3 = x2 + k;
            for (int j = 0; j < jEnd; j += L) {
                FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                for (int q = 0, yo = j; q < k; q++, yo += n) {
                    FloatVector v = FloatVector.fromArray(S, y, yo);
                    c0 = v.fma(FloatVector.broadcast(S, x[x0 + q]), c0);
                    c1 = v.fma(FloatVector.broadcast(S, x[x1 + q]), c1);
                    c2 = v.fma(FloatVector.broadcast(S, x[x2 + q]), c2);
                    c3 = v.fma(FloatVector.broadcast(S, x[x3 + q]), c3);
                }
                c0.intoArray(z, i * n + j);
                c1.intoArray(z, (i + 1) * n + j);
                c2.intoArray(z, (i + 2) * n + j);
                c3.intoArray(z, (i + 3) * n + j);
            }
            for (int r = i; r < i + 4; r++) rowTail(x, y, z, r, k, n, jEnd);
        }
        for (; i < m; i++) {
            int xo = i * k;
            for (int j = 0; j < jEnd; j += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int q = 0, yo = j; q < k; q++, yo += n) acc = FloatVector.fromArray(S, y, yo).fma(FloatVector.broadcast(S, x[xo + q]), acc);
                acc.intoArray(z, i * n + j);
            }
            rowTail(x, y, z, i, k, n, jEnd);
        }
    }

    /** z[i, j] for j ≥ from (the columns past the last full vector), in the vector lanes' order of operations. */
    private static void rowTail(float[] x, float[] y, float[] z, int i, int k, int n, int from) {
        for (int j = from; j < n; j++) {
            float s = 0;
            for (int q = 0; q < k; q++) s = Math.fma(y[q * n + j], x[i * k + q], s);
            z[i * n + j] = s;
        }
    }

    /** z [m,n]: z[i,j] = x[i,·]·yt[j,·], x [m,k], yt [n,k]. */
    static void dots(float[] x, float[] yt, float[] z, int m, int k, int n) {
        int qEnd = S.loopBound(k);
        for (int i = 0; i < m; i++) {
            int xo = i * k;
            for (int j = 0; j < n; j++) {
                int yo = j * k;
                FloatVector acc = FloatVector.zero(S);
                for (int q = 0; q < qEnd; q += L)
                    acc = FloatVector.fromArray(S, x, xo + q).fma(FloatVector.fromArray(S, yt, yo + q), acc);
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (int q = qEnd; q < k; q++) s = Math.fma(x[xo + q], yt[yo + q], s);
                z[i * n + j] = s;
            }
        }
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}
