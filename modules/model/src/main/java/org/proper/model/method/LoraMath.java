package org.proper.model.method;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The formulas of DESIGN §2, each implemented once, as SameDiff graph pieces. Notation: N = B·T tokens, din/dout the
 * target layer's sizes, r a LoRA rank, K experts, E the user-embedding size, s = alpha/r.
 * (The Java-side merge W + s·B·A is {@link LoraAdapter#deltaWeight}.)
 */
public final class LoraMath {
    /** Added to squared norms in cos² so that zero-initialised experts give 0, not NaN. */
    static final double COS_EPS = 1e-8;

    private LoraMath() {
    }

    /**
     * A batched matrix product over the leading axes, a [.., m, k]·b [.., k, n] with either operand transposed on its
     * last two axes where asked: how the graph multiplies the per-user stacks (it supplies the kernel).
     */
    @FunctionalInterface
    public interface BatchedProduct {
        SDVariable mmul(SameDiff sd, SDVariable a, SDVariable b, boolean transposeA, boolean transposeB);
    }

    /**
     * ΔW x = (s·x Aᵀ) Bᵀ. x [N,din], A [r,din], B [dout,r] → [N,dout]. (Here and below s scales the rank-r
     * intermediate, not the [N,dout] result: the same product, with r/dout of the multiplications.)
     */
    public static SDVariable loraDelta(SameDiff sd, SDVariable x, SDVariable a, SDVariable b, double s) {
        SDVariable xa = sd.mmul(x, a, false, true, false);                       // [N,r]
        return sd.mmul(xa.mul(s), b, false, true, false);                        // [N,dout]
    }

    /** Stacked expert A [K,r,din] as one matrix [K·r,din] (rows k·r … k·r+r−1 are expert k's). */
    public static SDVariable catA(SDVariable a, int k, int r, int din) {
        return a.reshape(k * r, din);
    }

    /** Stacked expert B [K,dout,r] as one matrix [dout,K·r] (columns k·r … k·r+r−1 are expert k's). */
    public static SDVariable catB(SDVariable b, int k, int r, int dout) {
        return b.permute(1, 0, 2).reshape(dout, k * r);
    }

    /** {@link #catA} of a stacked [K,r,din] array (frozen experts are held as constants already in this layout). */
    public static INDArray catA(INDArray a) {
        return a.reshape(a.size(0) * a.size(1), a.size(2));
    }

    /** {@link #catB} of a stacked [K,dout,r] array. */
    public static INDArray catB(INDArray b) {
        return b.permute(1, 0, 2).dup('c').reshape(b.size(1), b.size(0) * b.size(2));
    }

    /**
     * Σ_k g_k ΔW_k x for the experts' factors in the layout of {@link #catA}/{@link #catB}, as two GEMMs.
     * x [N,din], aCat [K·r,din], bCat [dout,K·r], gate [N,K] → [N,dout]. Each expert's gate multiplies its r columns
     * of x·Acatᵀ: the gate is spread to [N,K·r] by a matmul with the constant 0/1 matrix E [K,K·r] (E[k, k·r+j] = 1),
     * so that the product is element-wise between equal shapes. (A broadcast [N,K,r]·[N,K,1] product, the same
     * numbers, has a backward that reduces over r with ND4J's generic broadcast reduction: 5.5 ms per call on
     * [12288,3,8] against under 1 ms for this form, -Dproper.gateByMatmul=false, read when a graph is built.)
     */
    public static SDVariable mixtureDelta(SameDiff sd, SDVariable x, SDVariable aCat, SDVariable bCat, SDVariable gate, int k, int r, double s) {
        SDVariable xa = sd.mmul(x, aCat, false, true, false);                    // [N,K·r]
        SDVariable gxa;
        if (Boolean.parseBoolean(System.getProperty(GATE_BY_MATMUL, "true"))) {
            SDVariable spread = sd.constant(expertColumns(k, r, xa.dataType()));    // [K,K·r]
            gxa = xa.mul(sd.mmul(gate.mul(s), spread));                          // [N,K·r]
        } else {
            gxa = xa.reshape(-1, k, r).mul(gate.mul(s).reshape(-1, k, 1)).reshape(-1, k * r);
        }
        return sd.mmul(gxa, bCat, false, true, false);                           // [N,dout]
    }

    public static final String GATE_BY_MATMUL = "proper.gateByMatmul";

    /** E [K,K·r]: row k has ones in columns k·r … k·r + r − 1. */
    static INDArray expertColumns(int k, int r, DataType dt) {
        INDArray e = Nd4j.zeros(dt, k, (long) k * r);
        for (int i = 0; i < k; i++)
            for (int j = 0; j < r; j++) e.putScalar(i, (long) i * r + j, 1.0);
        return e;
    }

    /** ‖e_u − c_k‖². e [B,E], c [K,E] → [B,K]. */
    public static SDVariable centroidSqDist(SDVariable e, SDVariable c, int k, int dim) {
        SDVariable diff = e.reshape(-1, 1, dim).sub(c.reshape(1, k, dim));       // [B,K,E]
        return diff.mul(diff).sum(2);                                            // [B,K]
    }

    /**
     * User-aware router logits (−‖e_u − c_k‖² + v_k·h(x)) / τ, h(x) = the target layer's input.
     * dist [B,K], x [N,din], v [K,din] → [B,T,K]. g = softmax over the last axis.
     */
    public static SDVariable routerLogits(SameDiff sd, SDVariable dist, SDVariable x, SDVariable v, int t, int k, double tau) {
        SDVariable tok = sd.mmul(x, v, false, true, false).reshape(-1, t, k);    // [B,T,K]
        return tok.sub(dist.reshape(-1, 1, k)).div(tau);                         // [B,T,K]
    }

    /** User projection A_u x per user segment: x [U,S,din], A [U,r,din] → [U,S,r]. */
    public static SDVariable userProjection(SameDiff sd, SDVariable x3, SDVariable aU, BatchedProduct product) {
        return product.mmul(sd, x3, aU, false, true);                            // [B,T,r]
    }

    /** ΔW_u x = B_u (s·A_u x): xa [U,S,r], B [U,dout,r] → [U,S,dout]. */
    public static SDVariable userDelta(SameDiff sd, SDVariable xa, SDVariable bU, double s, BatchedProduct product) {
        return product.mmul(sd, xa.mul(s), bU, false, true);                     // [B,T,dout]
    }

    /** LoRA-aware router β = softmax(log g + R_u A_u x). logG [U,S,K], xa [U,S,r], R [U,K,r] → [U,S,K]. */
    public static SDVariable loraAwareGate(SameDiff sd, SDVariable logG, SDVariable xa, SDVariable rU, BatchedProduct product) {
        return sd.nn.softmax(logG.add(product.mmul(sd, xa, rU, false, true)), 2);        // [B,T,K]
    }

    /**
     * Diversity Σ_{i<j} cos²(ΔW_i, ΔW_j) through the factors: ⟨B_iA_i, B_jA_j⟩_F = sum((B_iᵀB_j) ⊙ (A_iA_jᵀ)).
     * A [K,r,din], B [K,dout,r] → scalar. (The scaling s cancels in the cosine.)
     */
    public static SDVariable diversity(SameDiff sd, SDVariable a, SDVariable b, int k, int r, int din, int dout, DataType dt) {
        SDVariable aCat = catA(a, k, r, din), bCat = catB(b, k, r, dout);        // [K·r,din], [dout,K·r]
        SDVariable btb = sd.mmul(bCat, bCat, true, false, false);                // [K·r,K·r] = B_iᵀB_j blocks
        SDVariable aat = sd.mmul(aCat, aCat, false, true, false);                // [K·r,K·r] = A_iA_jᵀ blocks
        SDVariable gram = btb.mul(aat).reshape(k, r, k, r).sum(1, 3);            // [K,K] ⟨ΔW_i,ΔW_j⟩ / s²
        float[] eye = new float[k * k], upper = new float[k * k];
        for (int i = 0; i < k; i++) {
            eye[i * k + i] = 1f;
            for (int j = i + 1; j < k; j++) upper[i * k + j] = 1f;
        }
        SDVariable norm = sd.math.sqrt(gram.mul(sd.constant(Nd4j.create(eye, new long[]{k, k}, 'c').castTo(dt))).sum(1).add(COS_EPS)); // [K] ‖ΔW_i‖
        SDVariable cos = gram.div(norm.reshape(k, 1)).div(norm.reshape(1, k));   // [K,K]
        SDVariable cos2 = cos.mul(cos);                                          // [K,K]
        return cos2.mul(sd.constant(Nd4j.create(upper, new long[]{k, k}, 'c').castTo(dt))).sum();  // scalar
    }

    /**
     * Load balance CV²(mean routing weights) over real tokens (LoRAMoE). gate [N,K], mask [N] (1 real, 0 pad) → scalar.
     */
    public static SDVariable balance(SDVariable gate, SDVariable mask, int k) {
        SDVariable m = gate.mul(mask.reshape(-1, 1)).sum(0).div(mask.sum());    // [K] mean routing weight
        SDVariable mean = m.mean();                                              // scalar
        SDVariable centred = m.sub(mean);                                        // [K]
        return centred.mul(centred).mean().div(mean.mul(mean).add(1e-12));      // scalar CV²
    }
}
