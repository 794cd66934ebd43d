package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraSpec;
import org.proper.model.train.TrainOptions;

/** The Java-computed activation ops on float arrays (the vector kernels), in graphs and in whole models. */
class ActivationOpsTest {
    /** 10 007 points (not a multiple of any vector width, more than two chunks) on [−12, 12] and four far out. */
    private static float[] points() {
        int n = 10_007;
        float[] xs = new float[n];
        for (int i = 0; i < n; i++) xs[i] = -12 + 24f * i / (n - 1);
        xs[0] = -100;
        xs[1] = 100;
        xs[2] = -1e30f;
        xs[3] = 1e30f;
        return xs;
    }

    /** y = f(x) and dL/dx for L = Σ w·y with w non-uniform, from one float graph in a {@link ModelSession}. */
    private static INDArray[] valueAndGradient(boolean gelu, float[] xs) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(xs));
        float[] ws = new float[xs.length];
        for (int i = 0; i < ws.length; i++) ws[i] = 0.5f + (i % 7) / 7f;
        SDVariable x1 = x.mul(1.0), y = gelu ? ActivationOps.geluNew(sd, x1) : ActivationOps.silu(sd, x1);
        y.mul(sd.constant(Nd4j.createFromArray(ws))).sum().rename("loss");
        sd.setLossVariables("loss");
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        INDArray out = sd.output(Map.of(), y.name()).get(y.name());
        INDArray grad = sd.calculateGradients(Map.of(), "x").get("x");
        INDArray w = Nd4j.createFromArray(ws);
        return new INDArray[]{out, grad.div(w)};
    }

    private static void assertMatches(DoubleUnaryOperator f, float[] xs, INDArray got, String what) {
        for (int i = 0; i < xs.length; i++) {
            double want = f.applyAsDouble(xs[i]);
            assertEquals(want, got.getDouble(i), 2e-6 * Math.max(1, Math.abs(want)), what + "(" + xs[i] + ")");
        }
    }

    @Test
    void geluNewAndItsBackpropOnFloatsMatchTheScalarDefinitions() {
        float[] xs = points();
        INDArray[] r = valueAndGradient(true, xs);
        assertEquals(DataType.FLOAT, r[0].dataType());
        assertMatches(Activations::geluNew, xs, r[0], "gelu_new");
        assertMatches(Activations::geluNewDerivative, xs, r[1], "gelu_new'");
        assertEquals(0.0, r[0].getDouble(2), 0.0, "gelu_new(−1e30) underflows to 0, not NaN");
    }

    @Test
    void siluAndItsBackpropOnFloatsMatchTheScalarDefinitions() {
        float[] xs = points();
        INDArray[] r = valueAndGradient(false, xs);
        assertMatches(Activations::silu, xs, r[0], "silu");
        assertMatches(Activations::siluDerivative, xs, r[1], "silu'");
    }

    /** So results depend neither on the vector width nor on whether the JIT has compiled the vector code yet. */
    @Test
    void everyVectorLaneGivesTheScalarPathsFloatBitForBit() {
        float[] xs = points();
        int n = xs.length;
        ByteBuffer x = floats(n), eps = floats(n), y = floats(n), dx = floats(n);
        for (int i = 0; i < n; i++) {
            x.putFloat(4 * i, xs[i]);
            eps.putFloat(4 * i, (float) Math.sin(i));
        }
        for (int pass = 0; pass < 2; pass++) {
            VectorActivations.geluNew(x, y, n);
            VectorActivations.geluNewBackprop(x, eps, dx, n);
            for (int i = 0; i < n; i++) {
                assertEquals(VectorActivations.geluNew(xs[i]), y.getFloat(4 * i), 0f, "gelu_new(" + xs[i] + ")");
                assertEquals(VectorActivations.geluNewBackprop(xs[i], eps.getFloat(4 * i)), dx.getFloat(4 * i), 0f, "gelu_new bp(" + xs[i] + ")");
            }
            VectorActivations.silu(x, y, n);
            VectorActivations.siluBackprop(x, eps, dx, n);
            for (int i = 0; i < n; i++) {
                assertEquals(VectorActivations.silu(xs[i]), y.getFloat(4 * i), 0f, "silu(" + xs[i] + ")");
                assertEquals(VectorActivations.siluBackprop(xs[i], eps.getFloat(4 * i)), dx.getFloat(4 * i), 0f, "silu bp(" + xs[i] + ")");
            }
        }
    }

    /** n floats in native byte order, off the heap as ND4J's are. */
    private static ByteBuffer floats(int n) {
        return ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder());
    }

    @Test
    void theScalarDefinitionsAreGpt2sTanhFormAndSilu() {
        double c = Math.sqrt(2 / Math.PI);
        for (double x = -6; x <= 6; x += 0.01) {
            assertEquals(0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x))), Activations.geluNew(x), 1e-13);
            assertEquals(x / (1 + Math.exp(-x)), Activations.silu(x), 1e-13);
            double h = 1e-5;
            assertEquals((Activations.geluNew(x + h) - Activations.geluNew(x - h)) / (2 * h), Activations.geluNewDerivative(x), 1e-8);
            assertEquals((Activations.silu(x + h) - Activations.silu(x - h)) / (2 * h), Activations.siluDerivative(x), 1e-8);
        }
    }

    @Test
    void aNonContiguousInputIsReadInItsOwnOrder() {
        INDArray x = Nd4j.createFromArray(new float[]{-3, -2.5f, -2, -1.5f, -1, -0.5f, 0, 0.5f, 1, 1.5f, 2, 2.5f}).reshape(3, 4);
        SameDiff sd = SameDiff.create();
        SDVariable y = ActivationOps.geluNew(sd, sd.placeHolder("x", DataType.FLOAT, 4, 3));
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        INDArray xt = x.transpose();                                                     // an 'f'-ordered view
        INDArray out = sd.output(Map.of("x", xt), y.name()).get(y.name());
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 3; j++)
                assertEquals(Activations.geluNew(xt.getDouble(i, j)), out.getDouble(i, j), 1e-6, "[" + i + "," + j + "]");
    }

    @Test
    void halfPrecisionIsRefusedByName() {
        SameDiff sd = SameDiff.create();
        SDVariable y = ActivationOps.silu(sd, sd.placeHolder("x", DataType.HALF, 4));
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        Exception e = assertThrows(RuntimeException.class,
                () -> sd.output(Map.of("x", Nd4j.ones(DataType.HALF, 4)), y.name()));
        assertTrue(rootMessage(e).contains("proper_silu on HALF"), rootMessage(e));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    /** Whole models, GPT-2 (gelu_new) and Llama (SiLU): LoRA training with the Java ops ends where SameDiff's ops end. */
    @Test
    void loraTrainingWithTheJavaOpsMatchesTrainingWithSameDiffsOps() {
        assertTrue(JavaKernels.available(), "the test JVM has jdk.incubator.vector (the parent pom's flags)");
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 11);
            List<Example> ex = Fixtures.userExamples("u", "yes", 6, 3);
            TrainOptions o = TrainOptions.defaults().withSteps(8).withBatchSize(3);
            Fixtures.assertJavaOpsTrainAsNd4jOps(base, LoraSpec.ffn(4, 8), ex, o, 1e-4);
        }
    }
}
