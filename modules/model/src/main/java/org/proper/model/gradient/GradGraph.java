package org.proper.model.gradient;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

/**
 * Edits of a gradient function's op and variable tables (SameDiff 1.0.0-M2.1 keeps both: an op lists its input and
 * output variables, a variable lists the ops that read it), shared by the rewrites of a gradient function
 * ({@link FrozenWeightGradients}, {@link ClosedFormGradients}, {@link SumGradients}, {@link SharedInputGradients}).
 */
final class GradGraph {
    private GradGraph() {
    }

    /** {@code sd}'s gradient function, created first if it has none. */
    static SameDiff gradFunction(SameDiff sd) {
        if (sd.getFunction("grad") == null) sd.createGradFunction();
        return sd.getFunction("grad");
    }

    /** The ops that read {@code name}. */
    static List<String> consumers(SameDiff sd, String name) {
        List<String> f = sd.getVariables().get(name).getInputsForOp();
        return f == null ? List.of() : new ArrayList<>(f);
    }

    /** Every op that read {@code from} reads {@code to} instead. */
    static void rewire(SameDiff sd, String from, String to) {
        Variable target = sd.getVariables().get(to);
        for (String c : consumers(sd, from)) {
            sd.getOps().get(c).getInputsToOp().replaceAll(v -> v.equals(from) ? to : v);
            if (target.getInputsForOp() == null) target.setInputsForOp(new ArrayList<>());
            target.getInputsForOp().add(c);
        }
        List<String> f = sd.getVariables().get(from).getInputsForOp();
        if (f != null) f.clear();
    }

    /** Removes {@code op} and its output variables (rewire their readers first). */
    static void remove(SameDiff sd, SameDiffOp op) {
        for (String v : op.getInputsToOp()) {
            Variable in = sd.getVariables().get(v);
            if (in != null && in.getInputsForOp() != null) in.getInputsForOp().removeIf(op.getName()::equals);
        }
        sd.getOps().remove(op.getName());
        for (String v : op.getOutputsOfOp()) sd.getVariables().remove(v);
    }

    /** The op that writes {@code var}, or null (a constant, variable or placeholder). */
    static SameDiffOp producer(SameDiff grad, String var) {
        Variable v = grad.getVariables().get(var);
        return v == null || v.getOutputOfOp() == null ? null : grad.getOps().get(v.getOutputOfOp());
    }

    /** {@code op} reads {@code inputs} instead of what it read. */
    static void setInputs(SameDiff grad, SameDiffOp op, List<String> inputs) {
        for (String v : op.getInputsToOp()) {
            Variable in = grad.getVariables().get(v);
            if (in != null && in.getInputsForOp() != null) in.getInputsForOp().removeIf(op.getName()::equals);
        }
        op.setInputsToOp(new ArrayList<>(inputs));
        for (String v : inputs) {
            Variable in = grad.getVariables().get(v);
            if (in.getInputsForOp() == null) in.setInputsForOp(new ArrayList<>());
            in.getInputsForOp().add(op.getName());
        }
    }
}
