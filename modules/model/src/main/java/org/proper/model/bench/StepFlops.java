package org.proper.model.bench;

import org.proper.model.ModelConfig;

/**
 * The matmul FLOPs that one training step of a frozen GPT-2 base with adapters on its FFN projections (c_fc, c_proj)
 * must do: the benchmark's measure of work, and the floor behind its bound on batching. Counted per GEMM, 2·m·k·n each,
 * for b rows of t tokens (n = b·t) of which m are loss positions (the head's rows, {@code Batch.headRows}), width d,
 * FFN width f, L layers, vocabulary V, total adapter rank R on each FFN projection of which rank r is trained:
 * <ul>
 *   <li>forward: per layer q,k,v and the output projection (2n·4d²), attention scores and their product with v
 *       (4b·t²·d), c_fc and c_proj (2n·2df), and the adapters' x·Aᵀ, ·Bᵀ (2·2n·R(d+f)); the tied head at the loss positions (2m·dV);</li>
 *   <li>gradients of activations, only where a trainable factor lies below: the head; layers L−1…1 whole (attention
 *       backward is four GEMMs, 8b·t²·d); in layer 0 only c_proj and its adapters (to reach c_fc's output) and c_fc's
 *       adapter intermediates dL/d(xAᵀ), since nothing below layer 0's c_fc is trained;</li>
 *   <li>the trained factors' gradients dA, dB (2·2n·r(d+f) per layer).</li>
 * </ul>
 * Routers, gates, softmaxes and element-wise ops are left out, so a real step does somewhat more.
 * {@code StepFlopsTest} checks the count against the matmuls a real step executes.
 */
public final class StepFlops {
    private StepFlops() {
    }

    public static double ffnAdapterStep(ModelConfig c, int adapterRank, int trainableRank, int b, int t, int headRows) {
        double n = (double) b * t, d = c.dModel(), f = c.dFfn(), rr = adapterRank, rt = trainableRank, l = c.nLayers();
        double attnProj = 2 * n * 4 * d * d, attnCore = 4 * (double) b * t * t * d, ffn = 2 * n * 2 * d * f;
        double adapters = 2 * 2 * n * rr * (d + f), head = 2.0 * headRows * d * c.vocabSize();
        double forward = l * (attnProj + attnCore + ffn + adapters) + head;
        double upperLayers = (l - 1) * (attnProj + 2 * attnCore + ffn + adapters);
        double layer0 = 2 * n * f * d + 2 * n * rr * (f + d) + 2 * n * rr * f;   // c_proj dx + its adapters; c_fc's dL/d(xAᵀ)
        double factors = l * 2 * 2 * n * rt * (d + f);
        return forward + head + upperLayers + layer0 + factors;
    }
}
