package org.proper.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.MmulBp;
import org.nd4j.linalg.factory.Nd4j;

class FrozenWeightGradientsTest {
    /** loss = Σ (tanh(((x·V1)·W)·W2ᵀ)·V2)²: V1's gradient flows back through both frozen products, one of them transposed. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable v1 = sd.var("v1", seeded(1, 3, 4));
        SDVariable w = sd.constant("w", seeded(2, 4, 5));
        SDVariable w2 = sd.constant("w2", seeded(3, 6, 5));
        SDVariable v2 = sd.var("v2", seeded(4, 6, 2));
        SDVariable h = sd.mmul(sd.mmul(x.mmul(v1), w), w2, false, true, false);
        SDVariable out = sd.mmul(sd.math.tanh(h), v2);
        out.mul(out).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static INDArray seeded(long seed, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return Nd4j.create(v, new long[]{rows, cols}, 'c');
    }

    private static long matmulBpOn(SameDiff grad, String weight) {
        return grad.getOps().values().stream().filter(o -> o.getOp() instanceof MmulBp)
                .map(SameDiffOp::getInputsToOp).filter(in -> in.contains(weight)).count();
    }

    @Test
    void frozenWeightsLoseTheirGradientOpsAndTrainableGradientsStayTheSame() {
        Map<String, INDArray> feed = Map.of("x", seeded(5, 7, 3));
        SameDiff plain = graph(), pruned = graph();
        Map<String, INDArray> expected = plain.calculateGradients(feed, "v1", "v2");

        assertEquals(2, FrozenWeightGradients.prune(pruned), "x·W and x·W2ᵀ rewritten");
        SameDiff grad = pruned.getFunction("grad");
        assertEquals(0, matmulBpOn(grad, "w") + matmulBpOn(grad, "w2"), "no matmul_bp left on a frozen weight");
        assertEquals(2, matmulBpOn(grad, "v1") + matmulBpOn(grad, "v2"), "trainable products keep theirs");

        Map<String, INDArray> actual = pruned.calculateGradients(feed, "v1", "v2");
        for (String v : new String[]{"v1", "v2"}) {
            assertTrue(expected.get(v).norm2Number().doubleValue() > 1e-3, v + " has a real gradient");
            assertEquals(0.0, expected.get(v).sub(actual.get(v)).amaxNumber().doubleValue(), 1e-12, v);
        }
    }

    @Test
    void aLoraTrainingGraphComputesNoGradientOfAFrozenBaseWeight() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 7);
        LoraAdapter lora = LoraAdapter.init(LoraSpec.ffn(2, 4), base, 1);
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, lora, true, null, false, false, 0, 0, null, false, false),
                DataType.FLOAT, 16);
        SameDiff grad = g.sd.getFunction("grad");
        long onConstants = grad.getOps().values().stream().filter(o -> o.getOp() instanceof MmulBp)
                .filter(o -> grad.getVariable(o.getInputsToOp().get(1)).getVariableType() == VariableType.CONSTANT).count();
        assertEquals(0, onConstants);
        assertTrue(grad.getOps().values().stream().anyMatch(o -> o.getOp() instanceof MmulBp), "LoRA factors keep theirs");
    }
}
