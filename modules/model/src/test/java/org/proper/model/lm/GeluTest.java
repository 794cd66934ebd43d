package org.proper.model.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.gradient.ClosedFormGradients;
import org.proper.model.kernel.JavaKernels;

class GeluTest {
    enum Variant { OP_BY_OP, CLOSED_FORM, JAVA_OP }

    /** With SameDiff's own chain, with the closed-form derivative in its place, and as one {@link org.proper.model.kernel.ActivationOps} op each way. */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void theSigmoidFormIsGpt2sTanhGeluNewAndItsDerivative(Variant variant) {
        if (variant == Variant.JAVA_OP) check(variant);
        else Fixtures.withSwitchOff(JavaKernels.SWITCH, () -> check(variant));
    }

    private static Void check(Variant variant) {
        int n = 401;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = -10 + 20.0 * i / (n - 1);
        SameDiff sd = SameDiff.create();
        SDVariable v = sd.var("v", Nd4j.createFromArray(xs));
        List<ClosedFormGradients.Rule> rules = new ArrayList<>();
        SDVariable y = FfnActivations.gelu(sd, v.mul(1.0), rules);                            // GELU of an activation, as in a model
        y.mul(y).sum().rename("loss");                                                   // dL/dy = 2y: a non-uniform eps
        sd.setLossVariables("loss");
        if (variant == Variant.CLOSED_FORM) assertTrue(ClosedFormGradients.apply(sd, rules) >= 7, "SameDiff's GELU chain replaced");
        assertEquals(variant == Variant.JAVA_OP, rules.isEmpty(), "the Java op needs no rewrite");
        INDArray out = sd.output(Map.of(), y.name()).get(y.name());
        INDArray grad = sd.calculateGradients(Map.of(), "v").get("v");
        double c = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double x = xs[i], z = c * (x + 0.044715 * x * x * x), th = Math.tanh(z);
            double want = 0.5 * x * (1 + th);
            double dwant = 0.5 * (1 + th) + 0.5 * x * (1 - th * th) * c * (1 + 3 * 0.044715 * x * x);
            assertEquals(want, out.getDouble(i), 1e-12, "gelu_new(" + x + ")");
            assertEquals(2 * want * dwant, grad.getDouble(i), 1e-11, "2·gelu_new·gelu_new'(" + x + ")");
        }
        assertEquals(DataType.DOUBLE, out.dataType());
        return null;
    }
}
