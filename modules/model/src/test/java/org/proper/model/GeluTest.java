package org.proper.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GeluTest {
    @Test
    void theSigmoidFormIsGpt2sTanhGeluNewAndItsDerivative() {
        int n = 401;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = -10 + 20.0 * i / (n - 1);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
        SDVariable y = ModelGraph.gelu(sd, x).rename("y");
        y.sum().rename("loss");
        sd.setLossVariables("loss");
        INDArray out = sd.output(Map.of(), "y").get("y");
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        double c = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double v = xs[i], z = c * (v + 0.044715 * v * v * v), th = Math.tanh(z);
            double want = 0.5 * v * (1 + th);
            double dwant = 0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v);
            assertEquals(want, out.getDouble(i), 1e-12, "gelu_new(" + v + ")");
            assertEquals(dwant, grad.getDouble(i), 1e-12, "gelu_new'(" + v + ")");
        }
        assertEquals(DataType.DOUBLE, out.dataType());
    }
}
