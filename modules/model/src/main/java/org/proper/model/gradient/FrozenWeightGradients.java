package org.proper.model.gradient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.MulBpOp;

/**
 * SameDiff's backprop ops compute the gradient of every operand, also of frozen weights (constants) whose gradient
 * nothing reads. {@link #prune} rewrites those ops of a graph's gradient function so that only dL/dx is computed:
 * <ul>
 *   <li>{@code matmul_bp} of y = x·W (or x·Wᵀ), W a rank-2 constant: one matmul dL/dx = eps·Wᵀ (eps·W). dL/dW was a
 *   third of each frozen linear layer's FLOPs;</li>
 *   <li>{@code add_bp} of y = x + b, and {@code multiply_bp} of y = x·g, for a frozen vector b or g along x's last axis
 *   (biases, norm gains) where x has y's shape: dL/dx = eps (no op at all), resp. one multiply eps·g. Their dL/db and
 *   dL/dg were strided column sums over every row.</li>
 * </ul>
 * The values are the same products. It edits SameDiff's op and variable tables (1.0.0-M2.1), so it only touches ops
 * whose shapes it knows: the matmul case is checked on the graph; a vector case only for the (x, vector) pairs the
 * graph's builder declares, since SameDiff does not know x's shape before it runs.
 */
public final class FrozenWeightGradients {
    /**
     * -Dproper.skipFrozenGradients=false keeps SameDiff's gradient function as it builds it; read when a graph is built,
     * so that a benchmark can compare both in one JVM.
     */
    public static final String SWITCH = "proper.skipFrozenGradients";
    /** x ⊕ v built with v a vector along x's last axis and x of the result's shape (so dL/dx needs no reduction). */
    public record VectorOperand(String x, String vector) {
    }

    private FrozenWeightGradients() {
    }

    /** Creates {@code sd}'s gradient function if needed and rewrites it; returns the number of ops rewritten. */
    public static int prune(SameDiff sd, Set<VectorOperand> vectorOperands) {
        SameDiff grad = GradGraph.gradFunction(sd);
        int n = 0;
        for (SameDiffOp op : new ArrayList<>(grad.getOps().values())) {
            boolean done = false;
            if (op.getOp() instanceof MmulBp bp) done = matmul(grad, op, bp);
            else if (op.getOp() instanceof AddBpOp || op.getOp() instanceof MulBpOp) done = vector(grad, op, vectorOperands);
            if (done) n++;
        }
        return n;
    }

    private static boolean matmul(SameDiff grad, SameDiffOp op, MmulBp bp) {
        List<String> in = op.getInputsToOp(), out = op.getOutputsOfOp();
        long[] t = bp.iArgs();
        if (in.size() != 3 || out.size() != 2 || t.length < 2) return false;
        boolean transposeX = t[0] != 0, transposeW = t[1] != 0, transposeResult = t.length > 2 && t[2] != 0;
        SDVariable w = grad.getVariable(in.get(1));
        if (transposeX || transposeResult || !frozenGradientUnused(grad, in, out)
                || w.getShape() == null || w.getShape().length != 2) return false;
        // y = x·W → dL/dx = eps·Wᵀ;  y = x·Wᵀ → dL/dx = eps·W
        SDVariable dx = new Mmul(grad, grad.getVariable(in.get(2)), w, false, !transposeW, false).outputVariable();
        replace(grad, op, dx.name());
        return true;
    }

    private static boolean vector(SameDiff grad, SameDiffOp op, Set<VectorOperand> declared) {
        List<String> in = op.getInputsToOp(), out = op.getOutputsOfOp();
        if (in.size() != 3 || out.size() != 2 || !declared.contains(new VectorOperand(in.get(0), in.get(1)))
                || !frozenGradientUnused(grad, in, out)) return false;
        String dx = op.getOp() instanceof AddBpOp
                ? in.get(2)                                                                         // dL/dx = eps
                : new MulOp(grad, grad.getVariable(in.get(2)), grad.getVariable(in.get(1))).outputVariable().name();
        replace(grad, op, dx);
        return true;
    }

    /** in = [x, frozen, eps], out = [dx, dFrozen]: x an activation, the frozen operand a constant nobody differentiates. */
    private static boolean frozenGradientUnused(SameDiff grad, List<String> in, List<String> out) {
        return grad.getVariable(in.get(0)).getVariableType() == VariableType.ARRAY
                && grad.getVariable(in.get(1)).getVariableType() == VariableType.CONSTANT
                && GradGraph.consumers(grad, out.get(1)).isEmpty();
    }

    /** Removes {@code op} and its outputs; whatever read its first output (dL/dx) reads {@code dx} instead. */
    private static void replace(SameDiff grad, SameDiffOp op, String dx) {
        GradGraph.rewire(grad, op.getOutputsOfOp().get(0), dx);
        GradGraph.remove(grad, op);
    }
}
