package org.proper.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;

class StepArraysTest {
    @Test
    void aCallsBuffersServeTheNextCallAndNothingIsAllocatedOnceWarm() {
        StepArrays arrays = new StepArrays();
        INDArray a = arrays.allocate(false, DataType.FLOAT, 4, 8);
        INDArray b = arrays.allocate(false, DataType.FLOAT, 32);
        assertTrue(a.data() != b.data());
        arrays.recycle();
        INDArray c = arrays.allocate(false, DataType.FLOAT, 8, 4);      // same length, other shape: same buffer kind
        INDArray d = arrays.allocate(false, DataType.FLOAT, 2, 16);
        assertTrue(c.data() == b.data() || c.data() == a.data(), "reused a buffer of the previous call");
        assertTrue(d.data() != c.data(), "never one buffer twice in a call");
        assertEquals(List.of(8L, 4L), List.of(c.shape()[0], c.shape()[1]));
        INDArray e = arrays.allocate(false, DataType.DOUBLE, 32);
        assertTrue(e.data() != a.data() && e.data() != b.data(), "another data type gets its own buffer");
        arrays.release(c);                                                  // SameDiff's early release changes nothing
        INDArray f = arrays.allocate(false, DataType.FLOAT, 32);
        assertTrue(f.data() != c.data() && f.data() != d.data(), "released but still in this call: not reused");
        arrays.close();
    }

    @Test
    void repeatedTrainingReusesOneStepsArraysAndGivesTheSameAdapterAsAFreshGraph() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 31);
        List<Example> ex = Fixtures.userExamples("ann", "alpha beta", 12, 3);
        LoraAdapter start = LoraAdapter.init(LoraSpec.ffn(2, 4), base, 2);
        TrainOptions o = TrainOptions.defaults().withBatchSize(4).withSteps(5);
        LoraAdapter first = LoraTrainer.train(base, start, ex, o).params();      // builds and caches the graph
        LoraAdapter again = LoraTrainer.train(base, start, ex, o).params();      // every array recycled from the first
        assertEquals(0.0, Fixtures.maxAbsDiff(first, again), 0.0, "recycled arrays change no result");
        LoraTrainer.releaseArrays();
        LoraAdapter afterRelease = LoraTrainer.train(base, start, ex, o).params();
        assertEquals(0.0, Fixtures.maxAbsDiff(first, afterRelease), 0.0);
        LoraTrainer.releaseGraphs();
    }
}
