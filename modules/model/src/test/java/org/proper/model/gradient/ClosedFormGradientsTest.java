package org.proper.model.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.graph.GradientCheckTest;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.kernel.JavaKernels;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.FfnActivations;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraAdapter;

/** The rewrite's structure and guards; its values are checked by finite differences in {@link GradientCheckTest}. */
class ClosedFormGradientsTest {
    private static long count(SameDiff grad, Set<String> opNames) {
        return grad.getOps().values().stream().filter(o -> opNames.contains(o.getOp().opName())).count();
    }

    @Test
    void aLoraTrainingGraphHasNoOpByOpGradientOfGeluSiluNormsOrLogSumExpLeft() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 7);
            LoraAdapter lora = LoraAdapter.init(GradientCheckTest.ALL, base, 1);
            ModelGraph g = new ModelGraph(base, new GraphSpec(false, lora, true, null, false, false, 0, 0, null, false, false),
                    DataType.FLOAT, 16);
            SameDiff grad = g.sd().getFunction("grad");
            assertEquals(0, count(grad, Set.of("sigmoid_bp", "divide_bp", "reduce_max_bp", "sqrt_bp")), cfg.family() + ": none left");
            assertTrue(count(grad, Set.of("matmul_bp")) > 0, "LoRA factors keep their own backprop ops");
        }
    }

    /** This test and the next take SameDiff's GELU ops (-Dproper.javaKernels=false) as their example of a rule. */
    @Test
    void aRuleWhoseChainReachesATrainablesGradientIsRefused() {
        Fixtures.withSwitchOff(JavaKernels.SWITCH, () -> {
            SameDiff sd = SameDiff.create();
            SDVariable v = sd.var("v", Nd4j.createFromArray(0.5, -1.0, 2.0));
            List<ClosedFormGradients.Rule> rules = new ArrayList<>();
            FfnActivations.gelu(sd, v, rules).sum().rename("loss");                           // GELU straight on a trainable
            sd.setLossVariables("loss");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClosedFormGradients.apply(sd, rules));
            assertTrue(e.getMessage().contains("v's gradient"), e.getMessage());
            return null;
        });
    }

    @Test
    void aRuleOnAValueThatNeedsNoGradientChangesNothing() {
        Fixtures.withSwitchOff(JavaKernels.SWITCH, () -> {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.constant("x", Nd4j.createFromArray(0.5, -1.0, 2.0));
            SDVariable w = sd.var("w", Nd4j.createFromArray(1.0, 2.0, 3.0));
            List<ClosedFormGradients.Rule> rules = new ArrayList<>();
            FfnActivations.gelu(sd, x, rules).mul(w).sum().rename("loss");                    // GELU of a constant
            sd.setLossVariables("loss");
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> before = sd.calculateGradients(Map.of(), "w");
            assertEquals(0, ClosedFormGradients.apply(sd, rules));
            assertEquals(before.get("w"), sd.calculateGradients(Map.of(), "w").get("w"));
            return null;
        });
    }
}
