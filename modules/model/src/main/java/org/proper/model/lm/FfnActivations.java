package org.proper.model.lm;

import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.proper.model.gradient.ClosedFormGradients;
import org.proper.model.kernel.ActivationOps;
import org.proper.model.kernel.Activations;
import org.proper.model.kernel.JavaKernels;

/**
 * The FFN activations of the families, GPT-2's GELU and Llama's SiLU, each one op each way where
 * {@link JavaKernels#available}, else ND4J's ops with the gradient declared in closed form.
 */
public final class FfnActivations {
    private FfnActivations() {
    }

    /**
     * GPT-2 "gelu_new": 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed as x·σ(z), z = x·(k + k·0.044715·x²),
     * k = 2√(2/π) — the same function (½(1 + tanh u) = σ(2u)) in fewer ops, and ND4J's sigmoid is much cheaper than its
     * tanh. dL/dx = eps·s·(1 + (x − y)·(k + 3k·0.044715·x²)), s = σ(z), declared as a closed form: SameDiff's own
     * chain recomputes the sigmoid in sigmoid_bp and takes five more ops on [N,f] arrays. One op each way where
     * {@link JavaKernels#available}.
     */
    public static SDVariable gelu(SameDiff sd, SDVariable x, List<ClosedFormGradients.Rule> closedForms) {
        if (JavaKernels.available()) return ActivationOps.geluNew(sd, x);
        double k = Activations.K, ka = Activations.KA;
        SDVariable x2 = x.mul(x);
        SDVariable s = sd.nn.sigmoid(x2.mul(ka).add(k).mul(x));
        SDVariable y = x.mul(s);
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(), (g, eps) -> xSigmoidGradient(eps, g.getVariable(x.name()),
                g.getVariable(y.name()), g.getVariable(s.name()), g.getVariable(x2.name()).mul(3 * ka).add(k))));
        return y;
    }

    /** SiLU y = x·σ(x); dL/dx = eps·s·(1 + x − y), s = σ(x), declared as a closed form (as for {@link #gelu}). */
    public static SDVariable silu(SameDiff sd, SDVariable x, List<ClosedFormGradients.Rule> closedForms) {
        if (JavaKernels.available()) return ActivationOps.silu(sd, x);
        SDVariable s = sd.nn.sigmoid(x);
        SDVariable y = x.mul(s);
        closedForms.add(new ClosedFormGradients.Rule(x.name(), y.name(),
                (g, eps) -> xSigmoidGradient(eps, g.getVariable(x.name()), g.getVariable(y.name()), g.getVariable(s.name()), null)));
        return y;
    }

    /**
     * dL/dx of y = x·σ(z(x)), s = σ(z): eps·s·(1 + x·(1 − s)·z'(x)), with x·(1 − s) taken as x − y (one op on [N,f]
     * instead of two); dz = z'(x), or null for z = x.
     */
    private static SDVariable xSigmoidGradient(SDVariable eps, SDVariable x, SDVariable y, SDVariable s, SDVariable dz) {
        SDVariable t = x.sub(y);
        return (dz == null ? t : t.mul(dz)).add(1.0).mul(s).mul(eps);
    }
}
