package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserOptions;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.UserTrainer;
import org.proper.model.train.UserTrainerTest;

class ModelSessionTest {
    @Test
    void aRowMajorReshapeOfAContiguousArrayIsAViewOfItsBuffer() {
        INDArray in = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(2, 6);
        INDArray y = reshapedTo3x4(in);
        assertArrayEquals(new long[]{3, 4}, y.shape());
        assertEquals(in.reshape(3, 4), y);
        assertEquals(in.data().addressPointer().address(), y.data().addressPointer().address(), "no copy: the view reads the input's buffer");
    }

    @Test
    void aReshapeOfAColumnMajorArrayIsStillCopiedByLibnd4j() {
        INDArray in = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(2, 6).dup('f');
        INDArray y = reshapedTo3x4(in);
        assertEquals(in.reshape('c', 3, 4), y);
        assertNotEquals(in.data().addressPointer().address(), y.data().addressPointer().address());
    }

    @Test
    void usersTrainedWithReshapeViewsEqualThoseTrainedWithCopiesBitForBit() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 27);
        GroupExperts ge = UserTrainerTest.experts(base);
        UserOptions uo = UserOptions.defaults();
        LoraTrainer.releaseGraphs();
        List<UserTrainer.UserResult> views = UserTrainer.trainBatched(base, ge, UserTrainerTest.users(), uo, UserTrainerTest.OPTS);
        List<UserTrainer.UserResult> copies = Fixtures.withSwitchOff(ModelSession.VIEWS_SWITCH,
                () -> UserTrainer.trainBatched(base, ge, UserTrainerTest.users(), uo, UserTrainerTest.OPTS));
        LoraTrainer.releaseGraphs();
        for (int u = 0; u < views.size(); u++) {
            assertEquals(copies.get(u).loss(), views.get(u).loss());
            assertEquals(0.0, UserTrainerTest.maxDiff(views.get(u).adapter(), copies.get(u).adapter()), views.get(u).adapter().userId());
        }
    }

    @Test
    void withSameDiffsOwnMemoryTheReshapeIsCopied() {
        INDArray in = Nd4j.linspace(DataType.FLOAT, 1, 12, 1).reshape(2, 6);
        INDArray y = reshapedTo3x4(in, false);
        assertEquals(in.reshape(3, 4), y);
        assertNotEquals(in.data().addressPointer().address(), y.data().addressPointer().address());
    }

    private static INDArray reshapedTo3x4(INDArray x) {
        return reshapedTo3x4(x, true);
    }

    /** x [2,6] reshaped to [3,4] by a one-op graph run in a {@link ModelSession}, with {@link StepArrays} or SameDiff's memory. */
    private static INDArray reshapedTo3x4(INDArray x, boolean stepArrays) {
        SameDiff sd = SameDiff.create();
        sd.placeHolder("x", DataType.FLOAT, 2, 6).reshape(3, 4).rename("y");
        ModelSession session = new ModelSession(sd);
        if (stepArrays) session.setMmgr(new StepArrays());
        sd.getSessions().put(Thread.currentThread().getId(), session);
        return sd.output(Map.of("x", x), "y").get("y");
    }
}
