package org.proper.model;

import java.util.ArrayList;
import java.util.List;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

/**
 * Edits of a gradient function's op and variable tables (SameDiff 1.0.0-M2.1 keeps both: an op lists its input and
 * output variables, a variable lists the ops that read it), shared by {@link FrozenWeightGradients} and
 * {@link ClosedFormGradients}.
 */
final class GradGraph {
    private GradGraph() {
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
}
