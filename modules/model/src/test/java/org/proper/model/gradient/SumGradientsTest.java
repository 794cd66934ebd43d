package org.proper.model.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.bp.AddBpOp;
import org.proper.model.Fixtures;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;

class SumGradientsTest {
    /**
     * loss = Σ (tanh(h + h·V2) + h·V3 + c + V4)², h = x·V1: three equal-shape sums of activations (declared), a
     * broadcast sum with the constant row c (declared too, but c is not an activation: it must stay), and a sum with
     * the trainable V4 (declared; its gradient is an output SameDiff returns by name: it must stay).
     */
    private static SameDiff graph(Set<SumGradients.Sum> declared) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable h = x.mmul(sd.var("v1", Fixtures.seeded(1, 3, 4)));
        SDVariable c = sd.constant("c", Fixtures.seeded(5, 1, 4));
        SDVariable v4 = sd.var("v4", Fixtures.seeded(6, 7, 4));
        SDVariable inner = sum(h, h.mmul(sd.var("v2", Fixtures.seeded(2, 4, 4))), declared);
        SDVariable outer = sum(sd.math.tanh(inner), h.mmul(sd.var("v3", Fixtures.seeded(3, 4, 4))), declared);
        SDVariable withC = sum(outer, c, declared);
        SDVariable out = sum(withC, v4, declared);
        out.mul(out).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static SDVariable sum(SDVariable a, SDVariable b, Set<SumGradients.Sum> declared) {
        if (declared != null) declared.add(new SumGradients.Sum(a.name(), b.name()));
        return a.add(b);
    }

    private static long addBps(SameDiff grad) {
        return grad.getOps().values().stream().filter(o -> o.getOp() instanceof AddBpOp).count();
    }

    @Test
    void equalShapeSumsOfActivationsPassTheirGradientOnWithoutCopiesAndTheGradientsStayTheSame() {
        Map<String, INDArray> feed = Map.of("x", Fixtures.seeded(4, 7, 3));
        String[] vars = {"v1", "v2", "v3", "v4"};
        SameDiff plain = graph(null);
        Map<String, INDArray> expected = plain.calculateGradients(feed, vars);
        Set<SumGradients.Sum> declared = new HashSet<>();
        SameDiff rewritten = graph(declared);
        rewritten.createGradFunction();
        long before = addBps(rewritten.getFunction("grad"));

        assertEquals(2, SumGradients.apply(rewritten, declared), "the two sums of activations (h + h·V2 and tanh + h·V3)");
        assertEquals(before - 2, addBps(rewritten.getFunction("grad")), "the sums with a constant and with a trainable keep their add_bp");
        Map<String, INDArray> actual = rewritten.calculateGradients(feed, vars);
        for (String v : vars) {
            assertTrue(expected.get(v).norm2Number().doubleValue() > 1e-3, v + " has a real gradient");
            assertEquals(0.0, expected.get(v).sub(actual.get(v)).amaxNumber().doubleValue(), 1e-12, v);
        }
    }

    @Test
    void aUserGraphCopiesNoResidualOrAdapterSumGradient() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 7);
        GraphSpec spec = Fixtures.twoUsersSpec(base);
        long kept = Fixtures.withSwitchOff(SumGradients.SWITCH,
                () -> addBps(new ModelGraph(base, spec, DataType.FLOAT, 16).sd().getFunction("grad")));
        long left = addBps(new ModelGraph(base, spec, DataType.FLOAT, 16).sd().getFunction("grad"));
        // per layer two residual sums and, on each of the two FFN modules, the experts' and the user's sums; less layer
        // 0's attention residual, below which nothing trains (SameDiff differentiates nothing there). Left: the
        // broadcast attention bias sums and the LoRA-aware router's small [U,S,K] sums
        assertEquals(6L * base.config().nLayers() - 1, kept - left, "add_bp ops removed: " + kept + " -> " + left);
    }
}
