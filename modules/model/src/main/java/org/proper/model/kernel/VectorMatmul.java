package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link BatchedMatmul}'s float products with the JDK's vector API: for each batch index, C [m,n] = op(A)·op(B) from
 * and into ND4J's buffers (native byte order, row-major). Each input matrix is copied to a per-thread heap array
 * first, transposed where the chosen form needs it (small: the shapes it serves have one side of a few rows; loading
 * from ND4J's buffers in place through the vector API was slower, OpProfile), in one of three forms:
 * <ul>
 *   <li>rows, where n fills a vector: each vector of C's row i is Σ_q op(A)[i,q]·op(B)[q,·], four rows at a time,
 *       stored straight into C's buffer (these are the large outputs, [S,dout] per user);</li>
 *   <li>transposed rows, where n does not but m does and A comes transposed (a gradient dB = dCᵀ·X): Cᵀ by rows from
 *       op(B)ᵀ and op(A)ᵀ = A as stored, then transposed;</li>
 *   <li>dots, else (n a LoRA rank or an expert count): C[i,j] = op(A)[i,·]·op(B)ᵀ[j,·] along k, four j per pass over
 *       A's row.</li>
 * </ul>
 * Loaded only where the JVM has the {@code jdk.incubator.vector} module ({@link JavaKernels#available}).
 */
final class VectorMatmul {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Per thread: op(A) or its transpose, op(B) or its transpose, C (dots) or C from Cᵀ, and a block to transpose. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);
    /** Per thread: Cᵀ of the transposed-rows form, native order as {@link #rows} writes. */
    private static final ThreadLocal<ByteBuffer[]> SCRATCH_BYTES = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    private VectorMatmul() {
    }

    static void multiply(ByteBuffer a, ByteBuffer b, ByteBuffer c, BatchedMatmul.Dims d, boolean transA, boolean transB) {
        int m = d.m(), k = d.k(), n = d.n();
        FloatBuffer fa = a.asFloatBuffer(), fb = b.asFloatBuffer(), fc = c.asFloatBuffer();
        float[] x = scratch(0, m * k), y = scratch(1, k * n), z = scratch(2, m * n), t = scratch(3, Math.max(m * k, Math.max(k * n, m * n)));
        boolean rows = n >= L, transposedRows = !rows && m >= L && transA;
        ByteBuffer ct = transposedRows ? scratchBytes(m * n) : null;
        for (int p = 0; p < d.batches(); p++) {
            int ao = p * m * k, bo = p * k * n, co = p * m * n;
            if (rows) {                                                               // C's vectors stored in place
                block(fa, ao, transA ? k : m, transA ? m : k, transA, x, t);          // op(A) [m,k]
                block(fb, bo, transB ? n : k, transB ? k : n, transB, y, t);          // op(B) [k,n]
                rows(x, y, c, co, m, k, n);
            } else if (transposedRows) {
                block(fa, ao, k, m, false, x, t);                                     // op(A)ᵀ = A [k,m]
                block(fb, bo, transB ? n : k, transB ? k : n, !transB, y, t);         // op(B)ᵀ [n,k]
                rows(y, x, ct, 0, n, k, m);                                           // Cᵀ [n,m]
                ct.asFloatBuffer().get(0, t, 0, n * m);
                transpose(t, z, n, m);
                fc.put(co, z, 0, m * n);
            } else {
                block(fa, ao, transA ? k : m, transA ? m : k, transA, x, t);          // op(A) [m,k]
                block(fb, bo, transB ? n : k, transB ? k : n, !transB, y, t);         // op(B)ᵀ [n,k]
                dots(x, y, z, m, k, n);
                fc.put(co, z, 0, m * n);
            }
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

    /** z [m,n] = x [m,k] · y [k,n], z in a native-order buffer from float zo on. */
    static void rows(float[] x, float[] y, ByteBuffer z, int zo, int m, int k, int n) {
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
                c0.intoByteBuffer(z, 4 * (zo + i * n + j), NATIVE);
                c1.intoByteBuffer(z, 4 * (zo + (i + 1) * n + j), NATIVE);
                c2.intoByteBuffer(z, 4 * (zo + (i + 2) * n + j), NATIVE);
                c3.intoByteBuffer(z, 4 * (zo + (i + 3) * n + j), NATIVE);
            }
            for (int r = i; r < i + 4; r++) rowTail(x, y, z, zo, r, k, n, jEnd);
        }
        for (; i < m; i++) {
            int xo = i * k;
            for (int j = 0; j < jEnd; j += L) {
                FloatVector acc = FloatVector.zero(S);
                for (int q = 0, yo = j; q < k; q++, yo += n) acc = FloatVector.fromArray(S, y, yo).fma(FloatVector.broadcast(S, x[xo + q]), acc);
                acc.intoByteBuffer(z, 4 * (zo + i * n + j), NATIVE);
            }
            rowTail(x, y, z, zo, i, k, n, jEnd);
        }
    }

    /** z[i, j] for j ≥ from (the columns past the last full vector), in the vector lanes' order of operations. */
    private static void rowTail(float[] x, float[] y, ByteBuffer z, int zo, int i, int k, int n, int from) {
        for (int j = from; j < n; j++) {
            float s = 0;
            for (int q = 0; q < k; q++) s = Math.fma(y[q * n + j], x[i * k + q], s);
            z.putFloat(4 * (zo + i * n + j), s);
        }
    }

    /** z [m,n]: z[i,j] = x[i,·]·yt[j,·], x [m,k], yt [n,k]. */
    static void dots(float[] x, float[] yt, float[] z, int m, int k, int n) {
        int qEnd = S.loopBound(k);
        for (int i = 0; i < m; i++) {
            int xo = i * k, j = 0;
            for (; j + 4 <= n; j += 4) {                                // four dots per pass over x's row
                int y0 = j * k, y1 = y0 + k, y2 = y1 + k, y3 = y2 + k;
                FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
                for (int q = 0; q < qEnd; q += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + q);
                    c0 = v.fma(FloatVector.fromArray(S, yt, y0 + q), c0);
                    c1 = v.fma(FloatVector.fromArray(S, yt, y1 + q), c1);
                    c2 = v.fma(FloatVector.fromArray(S, yt, y2 + q), c2);
                    c3 = v.fma(FloatVector.fromArray(S, yt, y3 + q), c3);
                }
                z[i * n + j] = dotTail(x, xo, yt, y0, qEnd, k, c0.reduceLanes(VectorOperators.ADD));
                z[i * n + j + 1] = dotTail(x, xo, yt, y1, qEnd, k, c1.reduceLanes(VectorOperators.ADD));
                z[i * n + j + 2] = dotTail(x, xo, yt, y2, qEnd, k, c2.reduceLanes(VectorOperators.ADD));
                z[i * n + j + 3] = dotTail(x, xo, yt, y3, qEnd, k, c3.reduceLanes(VectorOperators.ADD));
            }
            for (; j < n; j++) {
                int yo = j * k;
                FloatVector acc = FloatVector.zero(S);
                for (int q = 0; q < qEnd; q += L)
                    acc = FloatVector.fromArray(S, x, xo + q).fma(FloatVector.fromArray(S, yt, yo + q), acc);
                z[i * n + j] = dotTail(x, xo, yt, yo, qEnd, k, acc.reduceLanes(VectorOperators.ADD));
            }
        }
    }

    /** s plus x[xo + q]·yt[yo + q] for q from qEnd (past the last full vector) to k. */
    private static float dotTail(float[] x, int xo, float[] yt, int yo, int qEnd, int k, float s) {
        for (int q = qEnd; q < k; q++) s = Math.fma(x[xo + q], yt[yo + q], s);
        return s;
    }

    /** The thread's native-order buffer of at least this many floats. */
    private static ByteBuffer scratchBytes(int floats) {
        ByteBuffer[] s = SCRATCH_BYTES.get();
        if (s[0] == null || s[0].capacity() < 4 * floats) s[0] = ByteBuffer.allocateDirect(4 * floats).order(NATIVE);
        return s[0];
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}
