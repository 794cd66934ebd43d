package org.proper.model.gradient;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.Concat;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An activation x read by several frozen linear maps (in the user stage: a layer's weight, the frozen experts' Acat
 * and the frozen router's v all read the same FFN input) gets dL/dx = Σ_i eps_i·W_iᵀ: after
 * {@link FrozenWeightGradients} one GEMM per map, each writing a full [N,din] array, and a gradient sum (add) of
 * [N,din] per extra map. The rank-r and rank-K terms are GEMMs with a tiny inner size that cost nearly as much as the
 * weight's own (their time is writing [N,din]). {@link #apply} computes the sum as one GEMM instead:
 * [eps_1 … eps_m]·[W_1ᵀ; …; W_mᵀ] (the eps concatenated along columns, the maps stacked into one constant), the same
 * sum of products in another summation order.
 * <p>
 * It looks at every sum (a tree of two-operand adds whose inner results nothing else reads) and fuses its terms
 * that are products eps·W or eps·Wᵀ with W a rank-2 constant, read only by that sum and of the same output width,
 * where the concat costs less than what it saves ({@link #worthFusing}); the sum's other terms stay as they are, and
 * the tree's root keeps its output name.
 */
public final class SharedInputGradients {
    /** -Dproper.sharedInputGradients=false keeps one GEMM per frozen map in a gradient sum (read likewise). */
    public static final String SWITCH = "proper.sharedInputGradients";

    private SharedInputGradients() {
    }

    /** Creates {@code sd}'s gradient function if needed and rewrites it; returns the number of products fused away. */
    public static int apply(SameDiff sd) {
        SameDiff grad = GradGraph.gradFunction(sd);
        int fused = 0;
        for (SameDiffOp op : new ArrayList<>(grad.getOps().values()))
            if (grad.getOps().containsKey(op.getName()) && isRoot(grad, op)) fused += fuse(grad, op);
        return fused;
    }

    /** A product eps·op(W) read only by a gradient sum: block = op(W) [k,dout], so that the product is eps·block. */
    private record Term(String output, String eps, INDArray block) {
    }

    private static boolean isAdd(SameDiffOp op) {
        return op != null && op.getOp() instanceof AddOp && op.getInputsToOp().size() == 2 && op.getOutputsOfOp().size() == 1;
    }

    /** An add whose result is not one inner operand of a larger sum. */
    private static boolean isRoot(SameDiff grad, SameDiffOp op) {
        return isAdd(op) && inner(grad, op.getOutputsOfOp().get(0)) == null;
    }

    /** The add that {@code var} is an inner operand of (its only reader, an add), or null. */
    private static SameDiffOp inner(SameDiff grad, String var) {
        List<String> readers = GradGraph.consumers(grad, var);
        return readers.size() == 1 && isAdd(grad.getOps().get(readers.get(0))) ? grad.getOps().get(readers.get(0)) : null;
    }

    private static int fuse(SameDiff grad, SameDiffOp root) {
        List<String> leaves = new ArrayList<>();
        List<SameDiffOp> innerAdds = new ArrayList<>();
        collect(grad, root, true, leaves, innerAdds);
        Map<Long, List<Term>> byWidth = new LinkedHashMap<>();
        List<String> others = new ArrayList<>();
        for (String leaf : leaves) {
            Term t = term(grad, leaf);
            if (t == null) others.add(leaf);
            else byWidth.computeIfAbsent(t.block().size(1), w -> new ArrayList<>()).add(t);
        }
        List<Term> fusedTerms = List.of();
        for (List<Term> g : byWidth.values()) {
            List<Term> f = worthFusing(g);
            if (f.size() > fusedTerms.size()) fusedTerms = f;
        }
        if (fusedTerms.size() < 2) return 0;
        Set<String> fusedOutputs = new HashSet<>();
        for (Term t : fusedTerms) fusedOutputs.add(t.output());
        for (List<Term> g : byWidth.values()) for (Term t : g) if (!fusedOutputs.contains(t.output())) others.add(t.output());
        if (others.isEmpty()) {                                   // the root adds the fused product and one kept term
            if (fusedTerms.size() < 3) return 0;
            others.add(fusedTerms.get(fusedTerms.size() - 1).output());
            fusedTerms = fusedTerms.subList(0, fusedTerms.size() - 1);
        }

        SDVariable[] eps = fusedTerms.stream().map(t -> grad.getVariable(t.eps())).toArray(SDVariable[]::new);
        INDArray stacked = Nd4j.concat(0, fusedTerms.stream().map(Term::block).toArray(INDArray[]::new)).dup('c');
        SDVariable product = new Mmul(grad, new Concat(grad, 1, eps).outputVariable(), grad.constant(stacked), false, false, false)
                .outputVariable();                                                                 // [N,dout]
        SDVariable acc = product;
        for (int i = 0; i < others.size() - 1; i++) acc = new AddOp(grad, acc, grad.getVariable(others.get(i))).outputVariable();

        GradGraph.setInputs(grad, root, List.of(acc.name(), others.get(others.size() - 1)));
        for (SameDiffOp a : innerAdds) GradGraph.remove(grad, a);
        for (Term t : fusedTerms) GradGraph.remove(grad, GradGraph.producer(grad, t.output()));
        return fusedTerms.size() - 1;
    }

    /**
     * The most terms of one output width dout worth one GEMM, narrowest first: the concat copies Σk columns of eps
     * per row, and each term fused away saves writing dout columns (its product) and an add of dout columns, so a
     * set is fused when Σk < (size − 1)·dout. (For a forward sum x·W + (g·xA)·Bᵀ, x as wide as the layer's input,
     * it is not: copying x would cost more than the product it saves.)
     */
    private static List<Term> worthFusing(List<Term> sameWidth) {
        List<Term> byK = new ArrayList<>(sameWidth);
        byK.sort((a, b) -> Long.compare(a.block().size(0), b.block().size(0)));
        long dout = byK.get(0).block().size(1), k = 0;
        int best = 0;
        for (int i = 0; i < byK.size(); i++) {
            k += byK.get(i).block().size(0);
            if (i >= 1 && k < i * dout) best = i + 1;
        }
        return byK.subList(0, best);
    }

    /** The sum's terms (its leaves) and its inner adds, depth first. */
    private static void collect(SameDiff grad, SameDiffOp add, boolean isRoot, List<String> leaves, List<SameDiffOp> innerAdds) {
        if (!isRoot) innerAdds.add(add);
        for (String in : add.getInputsToOp()) {
            SameDiffOp p = GradGraph.producer(grad, in);
            if (isAdd(p) && inner(grad, in) == add) collect(grad, p, false, leaves, innerAdds);
            else leaves.add(in);
        }
    }

    /** The term for a leaf that is eps·W or eps·Wᵀ, W a rank-2 constant, read only by its sum; else null. */
    private static Term term(SameDiff grad, String leaf) {
        SameDiffOp p = GradGraph.producer(grad, leaf);
        if (p == null || !(p.getOp() instanceof Mmul mm) || p.getInputsToOp().size() != 2 || GradGraph.consumers(grad, leaf).size() != 1)
            return null;
        long[] t = mm.iArgs();
        boolean transposeA = t.length > 0 && t[0] != 0, transposeB = t.length > 1 && t[1] != 0, transposeResult = t.length > 2 && t[2] != 0;
        SDVariable w = grad.getVariable(p.getInputsToOp().get(1));
        if (transposeA || transposeResult || w.getVariableType() != VariableType.CONSTANT) return null;
        INDArray arr = w.getArr();
        if (arr == null || arr.rank() != 2) return null;
        return new Term(leaf, p.getInputsToOp().get(0), transposeB ? arr.transpose() : arr);
    }
}
