package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.graph.TopLayerWindowTest;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraSpec;
import org.proper.model.train.TrainOptions;

/** {@link Softmax}: the last axis's softmax and its gradient, against double definitions and inside whole models. */
class SoftmaxTest {
    /** x [2,3,rows/6,n] with scores in [−6, 6] and, as the attention's bias makes them, some at −1e9. */
    private static INDArray scores(DataType dt, int rows, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        INDArray x = Nd4j.create(dt, 2, 3, rows / 6, n);
        INDArray flat = x.reshape(-1);
        for (int i = 0; i < flat.length(); i++) flat.putScalar(i, i % n > n / 2 + i / n % 3 ? -1e9 : -6 + 12 * r.nextDouble());
        return x;
    }

    /** y = softmax(x) and dL/dx for L = Σ w ⊙ y, from one graph in a {@link ModelSession}. */
    private static INDArray[] valueAndGradient(INDArray x0, INDArray w) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0);
        SDVariable y = Softmax.lastAxis(sd, x.mul(1.0));
        y.mul(sd.constant("w", w)).sum().rename("loss");
        sd.setLossVariables("loss");
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        return new INDArray[]{sd.output(Map.of(), y.name()).get(y.name()), sd.calculateGradients(Map.of(), "x").get("x")};
    }

    /**
     * Rows of 37 floats (two vectors of up to 16 lanes and a scalar tail) and of 5 (scalar only): values and
     * gradients within 1e-6 of the double definitions softmax(x)_j and Σ_i w_i·y_i·(δ_ij − y_j).
     */
    @Test
    void floatSoftmaxAndItsGradientMatchTheDoubleDefinitions() {
        for (int n : new int[]{37, 5}) {
            INDArray x = scores(DataType.FLOAT, 12, n, n), w = scores(DataType.FLOAT, 12, n, 100 + n).reshape(-1);
            for (int i = 0; i < w.length(); i++) w.putScalar(i, Math.max(-3, w.getDouble(i)));
            w = w.reshape(x.shape());
            INDArray[] r = valueAndGradient(x, w);
            INDArray xf = x.reshape(-1, n), yf = r[0].reshape(-1, n), gf = r[1].reshape(-1, n), wf = w.reshape(-1, n);
            for (int row = 0; row < xf.size(0); row++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0, dot = 0;
                for (int j = 0; j < n; j++) max = Math.max(max, xf.getDouble(row, j));
                for (int j = 0; j < n; j++) sum += Math.exp(xf.getDouble(row, j) - max);
                double[] y = new double[n];
                for (int j = 0; j < n; j++) {
                    y[j] = Math.exp(xf.getDouble(row, j) - max) / sum;
                    dot += wf.getDouble(row, j) * y[j];
                }
                for (int j = 0; j < n; j++) {
                    assertEquals(y[j], yf.getDouble(row, j), 1e-6, "n = " + n + " y[" + row + "][" + j + "]");
                    assertEquals(y[j] * (wf.getDouble(row, j) - dot), gf.getDouble(row, j), 1e-6, "n = " + n + " dL/dx[" + row + "][" + j + "]");
                }
            }
        }
    }

    @Test
    void maskedScoresGetNoWeightAndNoGradientAndRowsSumToOne() {
        INDArray x = scores(DataType.FLOAT, 6, 32, 3);
        INDArray[] r = valueAndGradient(x, Nd4j.ones(DataType.FLOAT, x.shape()).muli(2));
        INDArray xf = x.reshape(-1, 32), yf = r[0].reshape(-1, 32), gf = r[1].reshape(-1, 32);
        for (int row = 0; row < 6; row++) {
            assertEquals(1.0, yf.getRow(row).sumNumber().doubleValue(), 1e-6, "row " + row);
            for (int j = 0; j < 32; j++) {
                if (xf.getDouble(row, j) > -1e8) continue;
                assertTrue(yf.getDouble(row, j) < 1e-30, "masked y[" + row + "][" + j + "] = " + yf.getDouble(row, j));
                assertTrue(Math.abs(gf.getDouble(row, j)) < 1e-30, "masked dL/dx[" + row + "][" + j + "]");
            }
            for (int j = 0; j < 32; j++) assertEquals(0, gf.getDouble(row, j), 1e-6, "a uniform w has no gradient");
        }
    }

    /** The double path (the gradient checks' precision) against finite differences of its own forward. */
    @Test
    void doubleGradientMatchesFiniteDifferences() {
        INDArray x = scores(DataType.DOUBLE, 6, 7, 5), w = scores(DataType.DOUBLE, 6, 7, 6);
        for (int i = 0; i < w.length(); i++) w.reshape(-1).putScalar(i, Math.max(-3, w.reshape(-1).getDouble(i)));
        INDArray g = valueAndGradient(x, w)[1].reshape(-1);
        double h = 1e-6;
        for (int i = 0; i < x.length(); i += 3) {
            if (x.reshape(-1).getDouble(i) < -1e8) continue;
            INDArray xp = x.dup(), xm = x.dup();
            xp.reshape(-1).putScalar(i, x.reshape(-1).getDouble(i) + h);
            xm.reshape(-1).putScalar(i, x.reshape(-1).getDouble(i) - h);
            double lp = valueAndGradient(xp, w)[0].mul(w).sumNumber().doubleValue();
            double lm = valueAndGradient(xm, w)[0].mul(w).sumNumber().doubleValue();
            assertEquals((lp - lm) / (2 * h), g.getDouble(i), 1e-7, "dL/dx[" + i + "]");
        }
    }

    /** GPT-2 and Llama (grouped-query) LoRA training with the Java softmax ends where libnd4j's softmax ends. */
    @Test
    void loraTrainingWithTheJavaSoftmaxMatchesTrainingWithLibnd4jsSoftmax() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 17);
            List<Example> ex = TopLayerWindowTest.mixedExamples("u", 6, 9);
            TrainOptions o = TrainOptions.defaults().withSteps(6).withBatchSize(3).withLr(1e-2);
            LoraSpec spec = new LoraSpec(4, 8, java.util.EnumSet.allOf(LoraTarget.class));   // q, v: their gradients pass the softmax
            Fixtures.assertJavaOpsTrainAsNd4jOps(base, spec, ex, o, 1e-5);
        }
    }
}
