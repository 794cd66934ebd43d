package org.proper.model.bench;

import java.util.List;

import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;

/** Peak RSS and step time of repeated LoRA training calls; arg0 = "gc" enables ND4J periodic GC. */
public final class MemProbe {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("gc")) {
            Nd4j.getMemoryManager().togglePeriodicGc(true);
            Nd4j.getMemoryManager().setAutoGcWindow(1000);
        }
        System.out.println("periodicGc=" + Nd4j.getMemoryManager().isPeriodicGcActive() + " window=" + Nd4j.getMemoryManager().getAutoGcWindow());
        ModelConfig cfg = ModelConfig.defaults();
        BaseModel base = BaseModel.init(cfg, 1);
        List<Example> ex = ModelBench.randomExamples(64, 128, 7);
        LoraAdapter a = LoraAdapter.init(LoraSpec.ffn(8, 16), base, 1);
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            LoraTrainer.train(base, a, ex, TrainOptions.defaults().withBatchSize(16).withSteps(6));
            System.out.printf("call %d: %.0f ms, peak RSS %d MiB, load %s%n", i, (System.nanoTime() - t0) / 1e6, ModelBench.peakRssKb() / 1024, ModelBench.loadAvg());
        }
    }
}
