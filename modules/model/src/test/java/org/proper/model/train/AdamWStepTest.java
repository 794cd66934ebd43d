package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.kernel.JavaKernels;

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

    /** AdamW steps on n random floats with the Java kernels switched on or off. */
    private static float[] floatSteps(int n, int steps, boolean javaKernels) {
        String was = System.getProperty(JavaKernels.SWITCH);
        System.setProperty(JavaKernels.SWITCH, String.valueOf(javaKernels));
        try {
            SplittableRandom r = new SplittableRandom(11);
            INDArray p = Nd4j.create(DataType.FLOAT, n);
            for (int i = 0; i < n; i++) p.putScalar(i, r.nextDouble(-2, 2));
            AdamW opt = new AdamW(TrainOptions.defaults().withOptimizer(TrainOptions.Optimizer.ADAMW, 0.1));
            for (int t = 0; t < steps; t++) {
                INDArray g = Nd4j.create(DataType.FLOAT, n);
                for (int i = 0; i < n; i++) g.putScalar(i, i % 97 == 0 ? 0 : r.nextDouble(-1, 1) * Math.pow(10, r.nextInt(-6, 2)));
                opt.step(List.of("p"), x -> p, Map.of("p", g), 0.01);
            }
            return p.toFloatVector();
        } finally {
            if (was == null) System.clearProperty(JavaKernels.SWITCH);
            else System.setProperty(JavaKernels.SWITCH, was);
        }
    }

    @Test
    void floatUpdatesInSimdLanesGiveTheScalarLoopsBitsIncludingTheTail() {
        assertTrue(JavaKernels.available(), "the test JVM has jdk.incubator.vector (surefire's argLine)");
        float[] start = floatSteps(1003, 0, true), vector = floatSteps(1003, 3, true), scalar = floatSteps(1003, 3, false);
        assertArrayEquals(scalar, vector);
        int moved = 0;
        for (int i = 0; i < start.length; i++) moved += start[i] != vector[i] ? 1 : 0;
        assertTrue(moved > 990, "the steps moved " + moved + " of 1003 parameters");
    }
}
