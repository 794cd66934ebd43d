package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.graph.TopLayerWindowTest;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserOptions;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;
import org.proper.model.train.UserTrainerTest;

/** {@link RowGather}'s rows by index and their gradient, on their own and inside whole models. */
class RowGatherTest {
    /** x [5,3] with x[i][j] = 10·i + j, in the given type. */
    private static INDArray matrix(DataType dt) {
        INDArray x = Nd4j.create(dt, 5, 3);
        for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) x.putScalar(i, j, 10 * i + j);
        return x;
    }

    /** y = x[idx] and dL/dx for L = Σ w ⊙ y, w[r][j] = r + 1 + j/10, from one graph in a {@link ModelSession}. */
    private static INDArray[] rowsAndGradient(INDArray x0, int... idx) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0);
        SDVariable y = RowGather.rows(sd, x.mul(1.0), sd.constant("idx", Nd4j.createFromArray(idx)));
        INDArray w = Nd4j.create(x0.dataType(), idx.length, x0.size(1));
        for (int r = 0; r < idx.length; r++) for (int j = 0; j < x0.size(1); j++) w.putScalar(r, j, r + 1 + j / 10.0);
        y.mul(sd.constant("w", w)).sum().rename("loss");
        sd.setLossVariables("loss");
        sd.getSessions().put(Thread.currentThread().getId(), new ModelSession(sd));
        INDArray out = sd.output(Map.of(), y.name()).get(y.name());
        return new INDArray[]{out, sd.calculateGradients(Map.of(), "x").get("x"), w};
    }

    @Test
    void theRowsComeInIndexOrderAndTheGradientGoesBackToThem() {
        for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray x = matrix(dt);
            int[] idx = {3, 0, 4};
            INDArray[] r = rowsAndGradient(x, idx);
            assertArrayEquals(new long[]{3, 3}, r[0].shape());
            assertEquals(dt, r[0].dataType());
            for (int k = 0; k < idx.length; k++) assertEquals(x.getRow(idx[k]), r[0].getRow(k), dt + " row " + k);
            INDArray expected = Nd4j.zeros(dt, 5, 3);
            for (int k = 0; k < idx.length; k++) expected.putRow(idx[k], r[2].getRow(k));
            assertEquals(expected, r[1], dt + ": dL/dx is w's rows at the indices, zeros elsewhere");
        }
    }

    @Test
    void aRowTakenTwiceGetsBothGradientsAdded() {
        for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray[] r = rowsAndGradient(matrix(dt), 2, 1, 2, 2);
            assertEquals(matrix(dt).getRow(2), r[0].getRow(3));
            for (int j = 0; j < 3; j++) {
                assertEquals(1 + 3 + 4 + 3 * j / 10.0, r[1].getDouble(2, j), 1e-6, dt + " dL/dx[2][" + j + "]");
                assertEquals(2 + j / 10.0, r[1].getDouble(1, j), 1e-6, dt + " dL/dx[1][" + j + "]");
                assertEquals(0, r[1].getDouble(0, j), 0, dt + " dL/dx[0][" + j + "]");
            }
        }
    }

    @Test
    void anIndexOutsideTheRowsIsRefusedByNameAndPosition() {
        Exception e = assertThrows(RuntimeException.class, () -> rowsAndGradient(matrix(DataType.FLOAT), 1, 5));
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        assertTrue(root.getMessage().contains("proper_gather_rows: index 5 at 1 outside the 5 rows"), root.getMessage());
    }

    /**
     * Batched users on a windowed top layer (prompts of 3..26 bytes, T = 32, window 8): the window rows and head rows
     * taken by RowGather train what ND4J's one-hot matmul and dynamic_partition train.
     */
    @Test
    void batchedUserTrainingWithTheRowOpsMatchesTrainingWithNd4jsOps() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 13);
        GroupExperts ge = UserTrainerTest.experts(base);
        List<UserData> users = List.of(
                new UserData("ann", Fixtures.emb(0, 0.1), TopLayerWindowTest.mixedExamples("ann", 5, 1), List.of()),
                new UserData("bob", Fixtures.emb(1, 0.2), TopLayerWindowTest.mixedExamples("bob", 5, 2), List.of()),
                new UserData("cy", Fixtures.emb(2, 0.1), TopLayerWindowTest.mixedExamples("cy", 5, 3), List.of()));
        int t = UserTrainer.seqLen(base, users);
        assertTrue(UserTrainer.window(t, users) < t, "the top layer is windowed");
        TrainOptions o = TrainOptions.defaults().withSteps(5).withBatchSize(2).withLr(1e-2);
        LoraTrainer.releaseGraphs();
        List<UserTrainer.UserResult> java = UserTrainer.trainBatched(base, ge, users, UserOptions.defaults(), o);
        List<UserTrainer.UserResult> nd4j = Fixtures.withSwitchOff(JavaKernels.SWITCH,
                () -> UserTrainer.trainBatched(base, ge, users, UserOptions.defaults(), o));
        for (int u = 0; u < users.size(); u++) {
            double diff = UserTrainerTest.maxDiff(java.get(u).adapter(), nd4j.get(u).adapter());
            assertTrue(diff <= 1e-4, users.get(u).userId() + "'s adapters differ by " + diff);
            for (int s = 0; s < 5; s++) assertEquals(nd4j.get(u).loss().get(s), java.get(u).loss().get(s), 1e-5, "step " + s);
        }
    }
}
