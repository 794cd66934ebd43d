package org.proper.model.kernel;

/**
 * The activation functions of the base model and their derivatives, as {@link ActivationOps} computes them (the
 * scalar definitions; {@link VectorActivations} evaluates the same expressions on float vectors).
 * <ul>
 *   <li>GPT-2 "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) = x·σ(z), z = x·(k + k·0.044715·x²),
 *   k = 2√(2/π) (½(1 + tanh u) = σ(2u)); dy/dx = s·(1 + x·(1 − s)·(k + 3k·0.044715·x²)), s = σ(z).</li>
 *   <li>SiLU (Llama's SwiGLU gate): y = x·σ(x); dy/dx = s·(1 + x·(1 − s)), s = σ(x).</li>
 * </ul>
 */
public final class Activations {
    public static final double K = 2 * Math.sqrt(2 / Math.PI), KA = K * 0.044715, CLAMP = 20;

    private Activations() {
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    static double geluNew(double x) {
        return x * sigmoid(x * (K + KA * x * x));
    }

    /** Beyond |x| = 20, σ(z) is 0 or 1 to double precision: x is clamped there, so that x² cannot overflow into inf·0. */
    static double geluNewDerivative(double x) {
        x = Math.max(-CLAMP, Math.min(CLAMP, x));
        double x2 = x * x, s = sigmoid(x * (K + KA * x2));
        return s * (1 + x * (1 - s) * (K + 3 * KA * x2));
    }

    static double silu(double x) {
        return x * sigmoid(x);
    }

    static double siluDerivative(double x) {
        double s = sigmoid(x);
        return s * (1 + x * (1 - s));
    }
}
