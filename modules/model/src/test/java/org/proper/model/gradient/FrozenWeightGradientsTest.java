package org.proper.model.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.MulBpOp;
import org.proper.model.Fixtures;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.kernel.BatchedMatmul;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;

class FrozenWeightGradientsTest {
    /**
     * loss = Σ (tanh(((x·V1)·W + b) ⊙ g · W2ᵀ) + c)·V2)²: V1's gradient flows back through two frozen products (one
     * transposed), a frozen bias b and a frozen gain g, declared as vector operands; the frozen c is not declared.
     */
    private static SameDiff graph(Set<FrozenWeightGradients.VectorOperand> declared) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable v1 = sd.var("v1", Fixtures.seeded(1, 3, 4));
        SDVariable w = sd.constant("w", Fixtures.seeded(2, 4, 5));
        SDVariable b = sd.constant("b", Fixtures.seeded(6, 1, 5).reshape(5));
        SDVariable g = sd.constant("g", Fixtures.seeded(7, 1, 5).reshape(5));
        SDVariable w2 = sd.constant("w2", Fixtures.seeded(3, 6, 5));
        SDVariable c = sd.constant("c", Fixtures.seeded(8, 1, 6).reshape(6));
        SDVariable v2 = sd.var("v2", Fixtures.seeded(4, 6, 2));
        SDVariable xw = sd.mmul(x.mmul(v1), w);
        SDVariable biased = xw.add(b);
        declared.add(new FrozenWeightGradients.VectorOperand(xw.name(), "b"));
        declared.add(new FrozenWeightGradients.VectorOperand(biased.name(), "g"));
        SDVariable h = sd.mmul(biased.mul(g), w2, false, true, false);
        SDVariable out = sd.mmul(sd.math.tanh(h).add(c), v2);
        out.mul(out).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static long bpOn(SameDiff grad, Class<?> bp, String operand) {
        return grad.getOps().values().stream().filter(o -> bp.isInstance(o.getOp()))
                .map(SameDiffOp::getInputsToOp).filter(in -> in.contains(operand)).count();
    }

    @Test
    void frozenOperandsLoseTheirGradientOpsAndTrainableGradientsStayTheSame() {
        Map<String, INDArray> feed = Map.of("x", Fixtures.seeded(5, 7, 3));
        SameDiff plain = graph(new HashSet<>());
        Set<FrozenWeightGradients.VectorOperand> declared = new HashSet<>();
        SameDiff pruned = graph(declared);
        Map<String, INDArray> expected = plain.calculateGradients(feed, "v1", "v2");

        assertEquals(4, FrozenWeightGradients.prune(pruned, declared), "x·W, x·W2ᵀ, + b and ⊙ g rewritten");
        SameDiff grad = pruned.getFunction("grad");
        assertEquals(0, bpOn(grad, MmulBp.class, "w") + bpOn(grad, MmulBp.class, "w2"), "no matmul_bp left on a frozen weight");
        assertEquals(0, bpOn(grad, AddBpOp.class, "b") + bpOn(grad, MulBpOp.class, "g"), "none on a declared frozen vector");
        assertEquals(1, bpOn(grad, AddBpOp.class, "c"), "an undeclared vector operand is left as SameDiff built it");
        assertEquals(2, bpOn(grad, MmulBp.class, "v1") + bpOn(grad, MmulBp.class, "v2"), "trainable products keep theirs");

        Map<String, INDArray> actual = pruned.calculateGradients(feed, "v1", "v2");
        for (String v : new String[]{"v1", "v2"}) {
            assertTrue(expected.get(v).norm2Number().doubleValue() > 1e-3, v + " has a real gradient");
            assertEquals(0.0, expected.get(v).sub(actual.get(v)).amaxNumber().doubleValue(), 1e-12, v);
        }
    }

    @Test
    void aLoraTrainingGraphComputesNoGradientOfAFrozenBaseWeightBiasOrGain() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 7);
        LoraAdapter lora = LoraAdapter.init(LoraSpec.ffn(2, 4), base, 1);
        assertNoBackpropOnConstants(new ModelGraph(base, new GraphSpec(false, lora, true, null, false, false, 0, 0, null, false, false),
                DataType.FLOAT, 16));
    }

    @Test
    void aUserGraphComputesNoGradientOfTheFrozenExperts() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 7);
        assertNoBackpropOnConstants(new ModelGraph(base, Fixtures.twoUsersSpec(base), DataType.FLOAT, 16));
    }

    /** A constant, or computed from constants only (e.g. a reshaped one). */
    private static boolean constantOnly(SameDiff sd, String v) {
        SDVariable var = sd.getVariable(v);
        if (var.getVariableType() == VariableType.CONSTANT) return true;
        String op = sd.getVariables().get(v).getOutputOfOp();
        return var.getVariableType() == VariableType.ARRAY && op != null && !sd.getOps().get(op).getInputsToOp().isEmpty()
                && sd.getOps().get(op).getInputsToOp().stream().allMatch(in -> constantOnly(sd, in));
    }

    private static void assertNoBackpropOnConstants(ModelGraph g) {
        SameDiff grad = g.sd().getFunction("grad");
        long onConstants = grad.getOps().values().stream()
                .filter(o -> o.getOp() instanceof MmulBp || o.getOp() instanceof AddBpOp || o.getOp() instanceof MulBpOp)
                .filter(o -> o.getInputsToOp().stream().anyMatch(v -> constantOnly(grad, v)))
                .count();
        assertEquals(0, onConstants, "no backprop op of a matmul, bias add or norm gain left on a frozen weight");
        assertTrue(grad.getOps().values().stream().anyMatch(o -> o.getOp() instanceof MmulBp || o.getOp() instanceof BatchedMatmul.TN),
                "LoRA factors keep theirs");
    }
}
