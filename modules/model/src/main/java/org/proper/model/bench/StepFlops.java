package org.proper.model.bench;

import org.proper.model.lm.ModelConfig;

/**
 * The matmul FLOPs that one training step of a frozen GPT-2 base with adapters on its FFN projections (c_fc, c_proj)
 * must do: the benchmark's measure of work, and the floor behind its bound on batching. Counted per GEMM, 2·m·k·n each,
 * for b rows of t tokens (n = b·t) of which m are loss positions (the head's rows, {@code Batch.headRows}), width d,
 * FFN width f, L layers, vocabulary V, total adapter rank R on each FFN projection of which rank r is trained. The top
 * layer runs on a window of a ≤ t positions per row ({@code ModelGraph}): its k, v cover all n rows, its q, attention,
 * output projection, FFN and adapters the b·a rows of a queries per row; every other layer has t queries and n rows.
 * <ul>
 *   <li>forward, per layer of n' rows and t' queries per row: k,v (2n·2d²), q and the output projection (2·2n'·d²),
 *       attention scores and their product with v (4b·t'·t·d), c_fc and c_proj (2n'·2df), and the adapters' x·Aᵀ, ·Bᵀ
 *       (2·2n'·R(d+f)); the tied head at the loss positions (2m·dV);</li>
 *   <li>gradients of activations, only where a trainable factor lies below: the head; layers L−1…1 whole (attention
 *       backward is four GEMMs, 8b·t'·t·d); in layer 0 only c_proj and its adapters (to reach c_fc's output) and c_fc's
 *       adapter intermediates dL/d(xAᵀ), since nothing below layer 0's c_fc is trained;</li>
 *   <li>the trained factors' gradients dA, dB (2·2n'·r(d+f) per layer).</li>
 * </ul>
 * Routers, gates, softmaxes and element-wise ops are left out, so a real step does somewhat more.
 * {@code StepFlopsTest} checks the count against the matmuls a real step executes.
 */
public final class StepFlops {
    private StepFlops() {
    }

    public static double ffnAdapterStep(ModelConfig c, int adapterRank, int trainableRank, int b, int t, int window, int headRows) {
        double d = c.dModel(), f = c.dFfn(), rr = adapterRank, rt = trainableRank, n = (double) b * t;
        double total = 2 * 2.0 * headRows * d * c.vocabSize();                      // head forward + dL/dh
        for (int l = 0; l < c.nLayers(); l++) {
            double tq = l == c.nLayers() - 1 ? window : t, rows = b * tq;
            double proj = 2 * n * 2 * d * d + 2 * 2 * rows * d * d, core = 4 * b * tq * t * d;
            double ffn = 2 * rows * 2 * d * f, adapters = 2 * 2 * rows * rr * (d + f);
            total += proj + core + ffn + adapters;                                  // forward
            total += l > 0 ? proj + 2 * core + ffn + adapters                       // activation gradients
                    : 2 * rows * f * d + 2 * rows * rr * (f + d) + 2 * rows * rr * f;
            total += 2 * 2 * rows * rt * (d + f);                                   // dA, dB
        }
        return total;
    }
}
