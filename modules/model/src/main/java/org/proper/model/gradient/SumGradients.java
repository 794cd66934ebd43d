package org.proper.model.gradient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;

/**
 * The backprop of a sum y = a + b of two equal shapes is dL/da = dL/db = eps, but SameDiff's {@code add_bp} writes
 * eps into two new arrays: two copies of every residual connection's and every adapter sum's gradient, each a full
 * pass over an [N,d] or [N,f] array (the 16 add_bp ops of the default model's user step took ~8 ms of ~150 ms of op
 * time). {@link #apply} removes those ops from a graph's gradient function and lets their readers read eps itself.
 * <p>
 * Only sums that the graph's builder declares ({@link Sum}) are touched, since SameDiff does not know the shapes of a
 * placeholder-fed graph before it runs (a broadcast sum's add_bp reduces and must stay), and only where both
 * operands are activations or placeholders: a trainable operand's gradient is an output that SameDiff returns by
 * name. Nothing in SameDiff's execution writes into an input, so arrays read by several ops can be shared.
 */
public final class SumGradients {
    /** -Dproper.sumGradients=false keeps SameDiff's add_bp copies of equal-shape sums (read likewise). */
    public static final String SWITCH = "proper.sumGradients";
    /** a + b, built by the graph with a and b of the same shape. */
    public record Sum(String a, String b) {
    }

    private SumGradients() {
    }

    /** Creates {@code sd}'s gradient function if needed and rewrites it; returns the number of add_bp ops removed. */
    public static int apply(SameDiff sd, Set<Sum> sums) {
        SameDiff grad = GradGraph.gradFunction(sd);
        int n = 0;
        for (SameDiffOp op : new ArrayList<>(grad.getOps().values())) {
            if (!(op.getOp() instanceof AddBpOp)) continue;
            List<String> in = op.getInputsToOp(), out = op.getOutputsOfOp();
            if (in.size() != 3 || out.size() != 2 || !sums.contains(new Sum(in.get(0), in.get(1)))
                    || !activation(grad, in.get(0)) || !activation(grad, in.get(1))) continue;
            String eps = in.get(2);
            for (String d : out) GradGraph.rewire(grad, d, eps);
            GradGraph.remove(grad, op);
            n++;
        }
        return n;
    }

    private static boolean activation(SameDiff grad, String name) {
        Variable v = grad.getVariables().get(name);
        VariableType t = v == null ? null : v.getVariable().getVariableType();
        return t == VariableType.ARRAY || t == VariableType.PLACEHOLDER;
    }
}
