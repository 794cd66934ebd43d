package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.ModelConfig;

class PretrainerTest {
    @Test
    void pretrainingLowersTheLanguageModelLoss() {
        List<String> texts = List.of("ARROW-123: fix the parquet reader for nested lists",
                "KAFKA-77: consumer group rebalances too often", "ARROW-124: add a flight sql client",
                "KAFKA-78: producer retries on timeout", "SPARK-9: faster shuffle for small partitions");
        TrainResult<BaseModel> r = Pretrainer.pretrain(ModelConfig.tiny(), new ByteTokenizer(), texts,
                TrainOptions.defaults().withSteps(40).withLr(3e-3).withBatchSize(5));
        assertTrue(r.lastLoss() < 0.7 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
        BaseModel init = BaseModel.init(ModelConfig.tiny(), TrainOptions.defaults().seed());
        assertNotEquals(init.fingerprint(), r.params().fingerprint());
    }
}
