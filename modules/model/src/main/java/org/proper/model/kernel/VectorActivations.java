package org.proper.model.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Activations} and the attention's softmax on floats with the JDK's vector API, in the CPU's widest SIMD lanes. The floats are read and
 * written where ND4J keeps them: buffers of native byte order, float i at byte 4·i (every buffer must be in
 * {@link ByteBuffer#order native order}, as {@link ActivationOps} gives them). On 2M floats (a
 * 2-core AVX-512 VM, Java 17), gelu_new takes 1.1 ms forward and 1.8 ms back, its scalar form 11.4 ms. Loaded only where the JVM
 * has the {@code jdk.incubator.vector} module ({@link JavaKernels#available}).
 * <p>Every value is a fixed sequence of IEEE additions, multiplications, fused multiply-adds and divisions, with e^a
 * from Cephes' expf (a degree-5 polynomial on a ± ln2/2 and an exponent built from bits), and the elements past the
 * last full vector take the same sequence in scalar form. So a result does not depend on the vector width, on where
 * an element falls in an array, or on whether the JIT has compiled the vector code yet (the vector API's own EXP is
 * the JDK's vector math library once compiled and {@code Math.exp} before, which differ in the last bit).
 */
final class VectorActivations {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final float K = (float) Activations.K, KA = (float) Activations.KA, KA3 = 3 * KA, CLAMP = (float) Activations.CLAMP;
    private static final float LOG2E = 1.44269504088896341f, MAGIC = 12582912f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f, LO = -87f, HI = 89f;
    /** MAGIC's bits: MAGIC + n for an integer |n| < 2^22 has the bits MAGIC_BITS + n, so n needs no float-to-int conversion. */
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f), NC1 = FloatVector.broadcast(S, -C1),
            NC2 = FloatVector.broadcast(S, -C2), VP2 = FloatVector.broadcast(S, P2), VP3 = FloatVector.broadcast(S, P3),
            VP4 = FloatVector.broadcast(S, P4), VP5 = FloatVector.broadcast(S, P5);

    private VectorActivations() {
    }

    /** y[i] = gelu_new(x[i]), i < n. */
    static void geluNew(ByteBuffer x, ByteBuffer y, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector v = load(x, i);
            v.mul(sigmoid(v.mul(v).fma(KA, K).mul(v))).intoByteBuffer(y, 4 * i, NATIVE);
        }
        for (; i < n; i++) y.putFloat(4 * i, geluNew(x.getFloat(4 * i)));
    }

    static float geluNew(float x) {
        return x * sigmoid(Math.fma(x * x, KA, K) * x);
    }

    /** dx[i] = eps[i]·gelu_new'(x[i]), i < n. */
    static void geluNewBackprop(ByteBuffer x, ByteBuffer eps, ByteBuffer dx, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector v = load(x, i).max(-CLAMP).min(CLAMP), x2 = v.mul(v);
            FloatVector s = sigmoid(x2.fma(KA, K).mul(v));
            FloatVector slope = v.mul(ONE.sub(s)).mul(x2.fma(KA3, K)).add(1f);
            s.mul(slope).mul(load(eps, i)).intoByteBuffer(dx, 4 * i, NATIVE);
        }
        for (; i < n; i++) dx.putFloat(4 * i, geluNewBackprop(x.getFloat(4 * i), eps.getFloat(4 * i)));
    }

    static float geluNewBackprop(float x, float eps) {
        float v = Math.min(Math.max(x, -CLAMP), CLAMP), x2 = v * v, s = sigmoid(Math.fma(x2, KA, K) * v);
        return s * (v * (1f - s) * Math.fma(x2, KA3, K) + 1f) * eps;
    }

    /** y[i] = silu(x[i]), i < n. */
    static void silu(ByteBuffer x, ByteBuffer y, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector v = load(x, i);
            v.mul(sigmoid(v)).intoByteBuffer(y, 4 * i, NATIVE);
        }
        for (; i < n; i++) y.putFloat(4 * i, silu(x.getFloat(4 * i)));
    }

    static float silu(float x) {
        return x * sigmoid(x);
    }

    /** dx[i] = eps[i]·silu'(x[i]), i < n. */
    static void siluBackprop(ByteBuffer x, ByteBuffer eps, ByteBuffer dx, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector v = load(x, i), s = sigmoid(v);
            s.mul(v.mul(ONE.sub(s)).add(1f)).mul(load(eps, i)).intoByteBuffer(dx, 4 * i, NATIVE);
        }
        for (; i < n; i++) dx.putFloat(4 * i, siluBackprop(x.getFloat(4 * i), eps.getFloat(4 * i)));
    }

    static float siluBackprop(float x, float eps) {
        float s = sigmoid(x);
        return s * (x * (1f - s) + 1f) * eps;
    }

    /**
     * y = softmax(x) along rows of n floats, m rows: e = e^(x − max of the row), y = e · (1/Σ e). The sum is a scalar
     * loop in element order (a lane reduction's order could differ between the JIT's code and the interpreter; the
     * max's does not matter), the exponentials and the scaling are in vector lanes with the scalar tail's same sequence.
     */
    static void softmax(ByteBuffer x, ByteBuffer y, int m, int n) {
        for (int row = 0, o = 0; row < m; row++, o += n) {
            float max = Float.NEGATIVE_INFINITY;
            int j = 0, end = S.loopBound(n);
            for (; j < end; j += S.length()) max = Math.max(max, load(x, o + j).reduceLanes(VectorOperators.MAX));
            for (; j < n; j++) max = Math.max(max, x.getFloat(4 * (o + j)));
            for (j = 0; j < end; j += S.length())
                exp(load(x, o + j).sub(max)).intoByteBuffer(y, 4 * (o + j), NATIVE);
            for (; j < n; j++) y.putFloat(4 * (o + j), exp(x.getFloat(4 * (o + j)) - max));
            float sum = 0;
            for (j = 0; j < n; j++) sum += y.getFloat(4 * (o + j));
            scale(y, o, n, 1f / sum);
        }
    }

    /** dx = y ⊙ (eps − Σ eps·y) along rows of n floats, m rows, from y = softmax(x) and eps = dL/dy; Σ in element order. */
    static void softmaxBackprop(ByteBuffer y, ByteBuffer eps, ByteBuffer dx, int m, int n) {
        for (int row = 0, o = 0; row < m; row++, o += n) {
            float dot = 0;
            for (int j = 0; j < n; j++) dot += eps.getFloat(4 * (o + j)) * y.getFloat(4 * (o + j));
            int j = 0;
            for (int end = S.loopBound(n); j < end; j += S.length())
                load(y, o + j).mul(load(eps, o + j).sub(dot)).intoByteBuffer(dx, 4 * (o + j), NATIVE);
            for (; j < n; j++) dx.putFloat(4 * (o + j), y.getFloat(4 * (o + j)) * (eps.getFloat(4 * (o + j)) - dot));
        }
    }

    /** y[o … o + n − 1] *= c. */
    private static void scale(ByteBuffer y, int o, int n, float c) {
        int j = 0;
        for (int end = S.loopBound(n); j < end; j += S.length())
            load(y, o + j).mul(c).intoByteBuffer(y, 4 * (o + j), NATIVE);
        for (; j < n; j++) y.putFloat(4 * (o + j), y.getFloat(4 * (o + j)) * c);
    }

    /** Floats i … i + lanes − 1 of a buffer. */
    private static FloatVector load(ByteBuffer b, int i) {
        return FloatVector.fromByteBuffer(S, b, 4 * i, NATIVE);
    }

    private static FloatVector sigmoid(FloatVector z) {
        return ONE.div(exp(z.neg()).add(1f));
    }

    private static float sigmoid(float z) {
        return 1f / (exp(-z) + 1f);
    }

    /**
     * e^a for a clamped to [−87, 89]. 2^n is built from t = a·log2 e + MAGIC's bits, not by converting n to int: the
     * JDK 17 vector API's F2I conversion is not compiled to one instruction and cost 15 times the rest of the function.: below, 1 + e^a is 1 in float; above 88.4 the exponent bits make +inf, so that
     * σ = 1/(1 + e^a) is exactly 0 there.
     */
    private static FloatVector exp(FloatVector x) {
        FloatVector a = x.max(LO).min(HI);
        FloatVector t = a.fma(LOG2E, MAGIC), n = t.sub(MAGIC);                           // round(a·log2 e)
        FloatVector r = n.fma(NC2, n.fma(NC1, a));                                       // a − n·ln 2, in two parts
        FloatVector p = r.fma(P0, P1).fma(r, VP2).fma(r, VP3).fma(r, VP4).fma(r, VP5);
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        IntVector bits = t.reinterpretAsInts().add(127 - MAGIC_BITS).lanewise(VectorOperators.LSHL, 23);   // 2^n
        return e.mul(bits.reinterpretAsFloats());
    }

    private static float exp(float x) {
        float a = Math.min(Math.max(x, LO), HI);
        float t = Math.fma(a, LOG2E, MAGIC), n = t - MAGIC;
        float r = Math.fma(n, -C2, Math.fma(n, -C1, a));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, P0, P1), r, P2), r, P3), r, P4), r, P5);
        float e = Math.fma(p, r * r, r) + 1f;
        return e * Float.intBitsToFloat((Float.floatToRawIntBits(t) + (127 - MAGIC_BITS)) << 23);
    }
}
