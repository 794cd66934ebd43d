package org.proper.model.lm;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.proper.model.gradient.ClosedFormGradients;

/** LayerNorm (GPT-2) and RMSNorm (Llama) over the last axis, their standardisation's gradient in closed form. */
public final class Norms {
    private Norms() {
    }

    /** (x − mean)/σ · g + b over the last axis; the standardisation's gradient in closed form (see {@link #standardized}). */
    public static SDVariable layerNorm(GraphBuilder gb, SDVariable x, SDVariable g, SDVariable b) {
        SameDiff sd = gb.sd();
        SDVariable c = x.sub(x.mean(true, 1));                                                             // [N,d]
        SDVariable sigma = sd.math.sqrt(c.mul(c).mean(true, 1).add(gb.config().normEps()));                // [N,1]
        return gb.plusVector(gb.timesVector(standardized(gb, x, c, sigma, true), g), b);                  // [N,d]
    }

    public static SDVariable rmsNorm(GraphBuilder gb, SDVariable x, SDVariable g) {
        SameDiff sd = gb.sd();
        SDVariable rms = sd.math.sqrt(x.mul(x).mean(true, 1).add(gb.config().normEps()));                 // [N,1]
        return gb.timesVector(standardized(gb, x, x, rms, false), g);                                     // [N,d]
    }

    /**
     * n = c/σ, c = x − mean(x) (LayerNorm) or x (RMSNorm), σ = √(mean(c²) + ε), over the last axis. With e = dL/dn:
     * dL/dx = (e − mean(e) − n·mean(e·n))/σ, without the − mean(e) term for RMSNorm; declared as a closed form.
     */
    private static SDVariable standardized(GraphBuilder gb, SDVariable x, SDVariable c, SDVariable sigma, boolean centred) {
        SDVariable n = c.div(sigma);                                                                       // [N,d]
        gb.closedForms().add(new ClosedFormGradients.Rule(x.name(), n.name(), (gr, e) -> {
            SDVariable nv = gr.getVariable(n.name());
            SDVariable r = e.sub(nv.mul(e.mul(nv).mean(true, 1)));
            return (centred ? r.sub(e.mean(true, 1)) : r).div(gr.getVariable(sigma.name()));
        }));
        return n;
    }
}
