package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

/** The Java batched products ({@link BatchedMatmul}, {@link VectorMatmul}): values in every form, gradients, bad shapes. */
class BatchedMatmulTest {
    /**
     * (m, k, n): rows (n a multiple of the vector width or not, m not a multiple of 4), dots (n a LoRA rank, four at a time and not, k with
     * and without a tail), transposed rows (m wide, n small) and the degenerate 1×1.
     */
    private static final int[][] SHAPES = {
        {8, 32, 32}, {64, 256, 4}, {64, 4, 1024}, {5, 7, 19}, {1, 3, 1}, {1024, 64, 4}, {17, 33, 3}, {6, 40, 37}, {9, 70, 7}};

    private static INDArray random(DataType dt, long seed, long... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        INDArray a = Nd4j.create(dt, shape);
        for (long i = 0; i < a.length(); i++) a.putScalar(i, r.nextDouble(-1, 1));
        return a;
    }

    /** The stored shape of op(X) [rows, cols] under the batch axes. */
    private static long[] stored(long[] batch, int rows, int cols, boolean trans) {
        long[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = trans ? cols : rows;
        s[batch.length + 1] = trans ? rows : cols;
        return s;
    }

    /** Σ_q op(a)[p,i,q]·op(b)[p,q,j] in double, element by element. */
    private static double[] reference(INDArray a, INDArray b, int batches, int m, int k, int n, boolean ta, boolean tb) {
        double[] x = a.data().asDouble(), y = b.data().asDouble(), z = new double[batches * m * n];
        for (int p = 0; p < batches; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++)
                        s += x[p * m * k + (ta ? q * m + i : i * k + q)] * y[p * k * n + (tb ? j * k + q : q * n + j)];
                    z[p * m * n + i * n + j] = s;
                }
        return z;
    }

    private static INDArray product(INDArray a, INDArray b, boolean ta, boolean tb) {
        SameDiff sd = SameDiff.create();
        SDVariable c = BatchedMatmul.mmul(sd, sd.placeHolder("a", a.dataType(), a.shape()), sd.placeHolder("b", b.dataType(), b.shape()), ta, tb);
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        return sd.output(Map.of("a", a, "b", b), c.name()).get(c.name());
    }

    @Test
    void everyPairOfTranspositionsGivesTheProductOfEveryBatchsMatrices() {
        assertTrue(JavaKernels.available(), "the test JVM has jdk.incubator.vector (the parent pom's flags)");
        boolean[][] pairs = {{false, false}, {false, true}, {true, false}};
        long[][] batches = {{3}, {2, 3}};
        for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE))
            for (boolean[] t : pairs)
                for (long[] batch : batches)
                    for (int[] s : SHAPES) {
                        int m = s[0], k = s[1], n = s[2], nb = (int) Arrays.stream(batch).reduce(1, (x, y) -> x * y);
                        INDArray a = random(dt, 7, stored(batch, m, k, t[0])), b = random(dt, 8, stored(batch, k, n, t[1]));
                        INDArray c = product(a, b, t[0], t[1]);
                        String what = dt + " " + (t[0] ? "T" : "N") + (t[1] ? "T" : "N") + " " + Arrays.toString(batch)
                                + " m=" + m + " k=" + k + " n=" + n;
                        assertEquals(Arrays.toString(stored(batch, m, n, false)), Arrays.toString(c.shape()), what);
                        double[] want = reference(a, b, nb, m, k, n, t[0], t[1]), got = c.data().asDouble();
                        double tol = dt == DataType.FLOAT ? 2e-6 * Math.sqrt(k) : 1e-12;
                        for (int i = 0; i < want.length; i++)
                            assertEquals(want[i], got[i], tol * Math.max(1, Math.abs(want[i])), what + " element " + i);
                    }
    }

    /** L = Σ w ⊙ op(A)·op(B) in double: dL/dA and dL/dB through the Java ops equal those through SameDiff's matmul. */
    @Test
    void gradientsThroughTheJavaProductsEqualSameDiffsMatmuls() {
        for (boolean[] t : new boolean[][]{{false, false}, {false, true}, {true, false}}) {
            long[] batch = {2, 3};
            int m = 5, k = 6, n = 7;
            INDArray a = random(DataType.DOUBLE, 1, stored(batch, m, k, t[0])), b = random(DataType.DOUBLE, 2, stored(batch, k, n, t[1]));
            INDArray w = random(DataType.DOUBLE, 3, stored(batch, m, n, false));
            Map<String, INDArray> java = gradients(a, b, w, t[0], t[1]);
            Map<String, INDArray> nd4j = Fixtures.withSwitchOff(JavaKernels.SWITCH, () -> gradients(a, b, w, t[0], t[1]));
            for (String v : List.of("a", "b")) {
                assertEquals(Arrays.toString(nd4j.get(v).shape()), Arrays.toString(java.get(v).shape()), v);
                double diff = nd4j.get(v).sub(java.get(v)).amaxNumber().doubleValue();
                assertTrue(diff < 1e-12, (t[0] ? "T" : "N") + (t[1] ? "T" : "N") + " dL/d" + v + " differs by " + diff);
                assertTrue(java.get(v).amaxNumber().doubleValue() > 0.1, "a real gradient");
            }
        }
    }

    private static Map<String, INDArray> gradients(INDArray a, INDArray b, INDArray w, boolean ta, boolean tb) {
        SameDiff sd = SameDiff.create();
        SDVariable c = BatchedMatmul.mmul(sd, sd.var("a", a.dup()), sd.var("b", b.dup()), ta, tb);
        c.mul(sd.constant(w)).sum().rename("loss");
        sd.setLossVariables("loss");
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        return sd.calculateGradients(Map.of(), "a", "b");
    }

    @Test
    void mismatchedShapesAreRefusedWithBothShapes() {
        Exception e = assertThrows(RuntimeException.class,
                () -> product(Nd4j.ones(DataType.FLOAT, 2, 3, 4), Nd4j.ones(DataType.FLOAT, 2, 5, 4), false, false));
        String msg = rootMessage(e);
        assertTrue(msg.contains("proper_bmm_nn: cannot multiply [2, 3, 4] by [2, 5, 4]"), msg);
        Exception batch = assertThrows(RuntimeException.class,
                () -> product(Nd4j.ones(DataType.FLOAT, 2, 3, 4), Nd4j.ones(DataType.FLOAT, 3, 4, 5), false, false));
        assertTrue(rootMessage(batch).contains("cannot multiply [2, 3, 4] by [3, 4, 5]"), rootMessage(batch));
        assertThrows(IllegalArgumentException.class,
                () -> BatchedMatmul.mmul(SameDiff.create(), null, null, true, true));
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }
}
