package org.proper.model;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;

/**
 * SameDiff differentiates y = x·W into one {@code matmul_bp} op that computes dL/dx and dL/dW, also when W is a frozen
 * weight (a constant) whose gradient nothing reads. For the frozen linear layers of LoRA training that is a third of
 * their FLOPs spent for nothing (the default model's batched user step: ~15% of its op time). {@link #prune} rewrites
 * each such op of a graph's gradient function into one matmul for dL/dx alone; the values are the same products.
 * <p>
 * It edits SameDiff's op and variable tables (1.0.0-M2.1), so it only touches an op whose shape it fully recognises:
 * x an activation, W a rank-2 constant, no transpose of x or of the result, dL/dW unused.
 */
final class FrozenWeightGradients {
    private FrozenWeightGradients() {
    }

    /** Creates {@code sd}'s gradient function if needed and rewrites it; returns the number of ops rewritten. */
    static int prune(SameDiff sd) {
        if (sd.getFunction("grad") == null) sd.createGradFunction();
        SameDiff grad = sd.getFunction("grad");
        int n = 0;
        for (SameDiffOp op : new ArrayList<>(grad.getOps().values()))
            if (op.getOp() instanceof MmulBp bp && rewrite(grad, op, bp)) n++;
        return n;
    }

    private static boolean rewrite(SameDiff grad, SameDiffOp op, MmulBp bp) {
        List<String> in = op.getInputsToOp(), out = op.getOutputsOfOp();
        long[] t = bp.iArgs();
        if (in.size() != 3 || out.size() != 2 || t.length < 2) return false;
        boolean transposeX = t[0] != 0, transposeW = t[1] != 0, transposeResult = t.length > 2 && t[2] != 0;
        String x = in.get(0), w = in.get(1), eps = in.get(2), dx = out.get(0), dw = out.get(1);
        SDVariable wv = grad.getVariable(w);
        if (transposeX || transposeResult || type(grad, x) != VariableType.ARRAY || wv.getVariableType() != VariableType.CONSTANT
                || wv.getShape() == null || wv.getShape().length != 2 || !consumers(grad, dw).isEmpty()) return false;
        // y = x·W → dL/dx = eps·Wᵀ;  y = x·Wᵀ → dL/dx = eps·W
        SDVariable newDx = new Mmul(grad, grad.getVariable(eps), wv, false, !transposeW, false).outputVariable();
        Variable fresh = grad.getVariables().get(newDx.name());
        for (String c : consumers(grad, dx)) {
            List<String> ins = grad.getOps().get(c).getInputsToOp();
            ins.replaceAll(v -> v.equals(dx) ? newDx.name() : v);
            if (fresh.getInputsForOp() == null) fresh.setInputsForOp(new ArrayList<>());
            fresh.getInputsForOp().add(c);
        }
        for (String v : in) {
            List<String> f = grad.getVariables().get(v).getInputsForOp();
            if (f != null) f.remove(op.getName());
        }
        grad.getOps().remove(op.getName());
        grad.getVariables().remove(dx);
        grad.getVariables().remove(dw);
        return true;
    }

    private static VariableType type(SameDiff sd, String name) {
        return sd.getVariable(name).getVariableType();
    }

    private static List<String> consumers(SameDiff sd, String name) {
        List<String> f = sd.getVariables().get(name).getInputsForOp();
        return f == null ? List.of() : new ArrayList<>(f);
    }
}
