package org.proper.model.gradient;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;

/**
 * SameDiff differentiates a composite function op by op: GPT-2's GELU becomes seven backprop ops (a sigmoid_bp that
 * recomputes the sigmoid, multiply_bps that each compute two products), a LayerNorm a dozen with broadcast reductions.
 * For a sub-expression y = f(x) whose dL/dx has a short closed form in dL/dy and the forward values, {@link #apply}
 * puts that closed form into the graph's gradient function in place of SameDiff's chain:
 * <ol>
 *   <li>the backprop op B of y's own op is found (it reads that op's inputs and then eps = dL/dy);</li>
 *   <li>dL/dx is built from eps and forward variables ({@link Rule#dx});</li>
 *   <li>everything B's outputs flow into is dropped: an op that reads a dropped value is dropped with its outputs
 *   (backprop ops are linear in the incoming gradient, so their outputs are parts of the same chain), and a
 *   gradient sum (add) with one dropped operand is replaced by its other operand;</li>
 *   <li>one of the chain's parts of dL/dx (an output of a dropped op at the position where it read x) is replaced by
 *   the closed form, so x's gradient sum gets it exactly once, next to what x's other readers contribute.</li>
 * </ol>
 * This is correct when the values between x and y are read only inside f, which the graph builder ensures where it
 * declares a rule. A rule whose chain would reach a trainable parameter's gradient is refused.
 */
public final class ClosedFormGradients {
    /** -Dproper.closedFormGradients=false keeps SameDiff's op-by-op gradients of GELU, norms and log-softmax (read likewise). */
    public static final String SWITCH = "proper.closedFormGradients";
    /** dL/dx of y = f(x), built in the gradient function from eps = dL/dy and forward variables (same names there). */
    public interface Derivative {
        SDVariable of(SameDiff grad, SDVariable eps);
    }

    public record Rule(String x, String y, Derivative dx) {
    }

    private ClosedFormGradients() {
    }

    /** Rewrites {@code sd}'s gradient function (created if needed) for every rule; returns the number of ops removed. */
    public static int apply(SameDiff sd, List<Rule> rules) {
        SameDiff grad = GradGraph.gradFunction(sd);
        int removed = 0;
        for (Rule r : rules) removed += apply(grad, r);
        return removed;
    }

    private static int apply(SameDiff grad, Rule r) {
        SameDiffOp b = backpropOf(grad, r.y());
        if (b == null) return 0;                                         // y's op is not differentiated: x needs no gradient
        List<String> bIn = b.getInputsToOp();
        SDVariable dx = r.dx().of(grad, grad.getVariable(bIn.get(bIn.size() - 1)));
        Chain chain = new Chain(grad, r.x());
        chain.drop(b);
        if (chain.part == null) throw new IllegalStateException("Cannot rewrite the gradient of " + r.x() + ": no part of it in the chain");
        guardTrainableGradients(grad, chain, r);

        GradGraph.rewire(grad, chain.part, dx.name());
        for (String sum : chain.bypass.keySet()) {
            GradGraph.rewire(grad, sum, chain.resolve(sum, dx.name()));
            GradGraph.remove(grad, grad.getOps().get(grad.getVariables().get(sum).getOutputOfOp()));
        }
        for (String op : chain.ops) GradGraph.remove(grad, grad.getOps().get(op));
        return chain.ops.size() + chain.bypass.size();
    }

    /** The ops reached from B's outputs, the gradient sums to bypass, and the part of dL/dx kept for the closed form. */
    private static final class Chain {
        final SameDiff grad;
        final String x;
        final Set<String> ops = new LinkedHashSet<>(), vars = new HashSet<>();
        final Map<String, String> bypass = new HashMap<>();              // sum's output → its operand outside the chain
        String part;

        Chain(SameDiff grad, String x) {
            this.grad = grad;
            this.x = x;
        }

        void drop(SameDiffOp first) {
            Deque<SameDiffOp> todo = new ArrayDeque<>(List.of(first));
            while (!todo.isEmpty()) {
                SameDiffOp op = todo.pop();
                ops.add(op.getName());
                bypass.remove(op.getOutputsOfOp().get(0));             // a sum with both operands in the chain is in it
                List<String> in = op.getInputsToOp(), out = op.getOutputsOfOp();
                for (int i = 0; i < out.size(); i++) {
                    String v = out.get(i);
                    if (part == null && i < in.size() && in.get(i).equals(x) && op.getOp().opName().endsWith("_bp")) {
                        part = v;                                        // a part of dL/dx: becomes the closed form
                        continue;
                    }
                    vars.add(v);
                    for (String c : GradGraph.consumers(grad, v)) {
                        SameDiffOp next = grad.getOps().get(c);
                        if (ops.contains(c) || todo.contains(next)) continue;
                        List<String> nin = next.getInputsToOp();
                        boolean sum = next.getOp() instanceof AddOp && nin.size() == 2;
                        if (sum && !(vars.contains(nin.get(0)) && vars.contains(nin.get(1))))
                            bypass.put(next.getOutputsOfOp().get(0), vars.contains(nin.get(0)) ? nin.get(1) : nin.get(0));
                        else
                            todo.add(next);
                    }
                }
            }
        }

        /** What a bypassed sum's readers read instead: its operand outside the chain, followed through other sums. */
        String resolve(String sum, String dx) {
            String v = bypass.get(sum);
            while (bypass.containsKey(v)) v = bypass.get(v);
            return v.equals(part) ? dx : v;
        }
    }

    /** The backprop op of y's op (it reads that op's inputs, in order, and then dL/dy), or null if there is none. */
    private static SameDiffOp backpropOf(SameDiff grad, String y) {
        String fwd = grad.getVariables().get(y).getOutputOfOp();
        List<String> in = grad.getOps().get(fwd).getInputsToOp();
        List<SameDiffOp> found = new ArrayList<>();
        for (SameDiffOp op : grad.getOps().values()) {
            List<String> bin = op.getInputsToOp();
            if (!op.getName().equals(fwd) && bin != null && bin.size() == in.size() + 1 && bin.subList(0, in.size()).equals(in))
                found.add(op);
        }
        if (found.size() > 1)
            throw new IllegalStateException("Cannot rewrite the gradient of " + y + ": " + found.size() + " backprop ops of " + fwd);
        return found.isEmpty() ? null : found.get(0);
    }

    private static void guardTrainableGradients(SameDiff grad, Chain chain, Rule r) {
        for (Variable v : grad.getVariables().values()) {
            SDVariable g = v.getGradient();
            if (v.getVariable().getVariableType() == VariableType.VARIABLE && g != null
                    && (chain.vars.contains(g.name()) || chain.bypass.containsKey(g.name())))
                throw new IllegalStateException("Cannot rewrite the gradient of " + r.x() + ": the chain reaches " + v.getName() + "'s gradient");
        }
    }
}
