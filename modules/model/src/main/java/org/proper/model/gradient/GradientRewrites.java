package org.proper.model.gradient;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.nd4j.autodiff.samediff.SameDiff;

/**
 * What the pieces of one graph declare while it is built, for the rewrites of its gradient function — closed-form
 * gradients ({@link ClosedFormGradients}), vector operands ({@link FrozenWeightGradients}), equal-shape sums
 * ({@link SumGradients}) — and the rewrites themselves, applied once SameDiff has created the gradient function,
 * each unless its switch is off (read when the graph is built).
 */
public final class GradientRewrites {
    /** Operands of x + v / x · v with v a vector along x's last axis. */
    private final Set<FrozenWeightGradients.VectorOperand> vectorOperands = new HashSet<>();
    /** Sums of two equal shapes. */
    private final Set<SumGradients.Sum> sums = new HashSet<>();
    /** Sub-expressions whose gradient is computed in closed form. */
    private final List<ClosedFormGradients.Rule> closedForms = new ArrayList<>();

    /** The closed-form rules declared so far, to which a graph piece adds its own. */
    public List<ClosedFormGradients.Rule> closedForms() {
        return closedForms;
    }

    /** Declares x ⊕ v with v a vector along x's last axis. */
    public void vectorOperand(String x, String vector) {
        vectorOperands.add(new FrozenWeightGradients.VectorOperand(x, vector));
    }

    /** Declares a + b of equal shapes. */
    public void sum(String a, String b) {
        sums.add(new SumGradients.Sum(a, b));
    }

    /** Creates {@code sd}'s gradient function and rewrites it: frozen operands, closed forms, sums, shared inputs. */
    public void createAndRewrite(SameDiff sd) {
        sd.createGradFunction();
        if (Boolean.parseBoolean(System.getProperty(FrozenWeightGradients.SWITCH, "true"))) FrozenWeightGradients.prune(sd, vectorOperands);
        if (Boolean.parseBoolean(System.getProperty(ClosedFormGradients.SWITCH, "true"))) ClosedFormGradients.apply(sd, closedForms);
        if (Boolean.parseBoolean(System.getProperty(SumGradients.SWITCH, "true"))) SumGradients.apply(sd, sums);
        if (Boolean.parseBoolean(System.getProperty(SharedInputGradients.SWITCH, "true"))) SharedInputGradients.apply(sd);
    }
}
