package org.proper.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdamWStepTest {
    private static final double[] P0 = {0.5, -1.0, 2.0, 0.0, 3.0, -0.25};
    private static final double[][] G = {{0.1, -0.2, 0.3, 0.0, 1.5, -0.05}, {-0.4, 0.2, 0.1, 2.0, 1.0, 0.05}};

    /** Adam(W) by its definition, in double: the reference for two steps. */
    private static double[] reference(TrainOptions o, double lr) {
        double[] p = P0.clone(), m = new double[p.length], v = new double[p.length];
        for (int t = 1; t <= G.length; t++)
            for (int i = 0; i < p.length; i++) {
                double g = G[t - 1][i];
                m[i] = o.beta1() * m[i] + (1 - o.beta1()) * g;
                v[i] = o.beta2() * v[i] + (1 - o.beta2()) * g * g;
                double mHat = m[i] / (1 - Math.pow(o.beta1(), t)), vHat = v[i] / (1 - Math.pow(o.beta2(), t));
                if (o.optimizer() == TrainOptions.Optimizer.ADAMW) p[i] *= 1 - lr * o.weightDecay();
                p[i] -= lr * mHat / (Math.sqrt(vHat) + o.eps());
            }
        return p;
    }

    private static double[] stepped(TrainOptions o, double lr, DataType dt, char gradOrder) {
        INDArray p = Nd4j.create(P0, new long[]{2, 3}, 'c').castTo(dt);
        AdamW opt = new AdamW(o);
        for (double[] g : G)
            opt.step(List.of("p"), n -> p, Map.of("p", Nd4j.create(g, new long[]{2, 3}, 'c').castTo(dt).dup(gradOrder)), lr);
        return p.reshape(6).toDoubleVector();
    }

    @Test
    void twoStepsGiveAdamWsDefinitionForFloatAndDoubleParametersAndEitherGradientOrder() {
        double lr = 0.05;
        for (TrainOptions o : List.of(TrainOptions.defaults().withOptimizer(TrainOptions.Optimizer.ADAMW, 0.1),
                TrainOptions.defaults().withOptimizer(TrainOptions.Optimizer.ADAM, 0))) {
            double[] want = reference(o, lr);
            for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE))
                for (char order : new char[]{'c', 'f'}) {
                    double[] got = stepped(o, lr, dt, order);
                    for (int i = 0; i < want.length; i++)
                        assertEquals(want[i], got[i], dt == DataType.FLOAT ? 1e-6 : 1e-12, o.optimizer() + " " + dt + " " + order + " element " + i);
                }
        }
    }
}
