package org.proper.model.method;

import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.Fixtures;
import org.proper.model.graph.Batch;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.Example;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;

class LoraTest {
    static final LoraSpec ALL = new LoraSpec(4, 8, EnumSet.allOf(LoraTarget.class));
    static final int[] TOKENS = Fixtures.TOK.encode("kafka 3: fix the consumer lag");

    /** Logits [T,V] of the base with an unmerged shared adapter (or none). */
    static float[][] logits(BaseModel base, LoraAdapter shared, int[] tokens) {
        ModelGraph g = new ModelGraph(base, GraphSpec.inference(shared, null, false, null, false), DataType.FLOAT, 32);
        Batch b = Batch.forSequences(new int[][]{tokens}, new int[]{1}, 32, 0, null, -1, 0).withHeadRows(0, 0, tokens.length);
        INDArray l = g.sd().output(g.feed(b), ModelGraph.LOGITS).get(ModelGraph.LOGITS);
        float[][] out = new float[tokens.length][];
        for (int i = 0; i < tokens.length; i++) out[i] = l.getRow(i).toFloatVector();
        return out;
    }

    @Test
    void freshAdapterLeavesLogitsUnchanged() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 11);
            float[][] plain = logits(base, null, TOKENS);
            float[][] adapted = logits(base, LoraAdapter.init(ALL, base, 5), TOKENS);
            assertEquals(0.0, Fixtures.maxAbsDiff(plain, adapted), 0.0, cfg.family() + ": B = 0 must change nothing");
        }
    }

    @Test
    void mergedLogitsEqualUnmergedWithin1e5() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 12);
            LoraAdapter a = Fixtures.randomize(LoraAdapter.init(ALL, base, 6), 0.2, 7);
            float[][] unmerged = logits(base, a, TOKENS);
            float[][] merged = logits(a.mergeInto(base), null, TOKENS);
            float[][] plain = logits(base, null, TOKENS);
            assertTrue(Fixtures.maxAbsDiff(plain, unmerged) > 1e-3, cfg.family() + ": the adapter must matter");
            assertEquals(0.0, Fixtures.maxAbsDiff(merged, unmerged), 1e-5, cfg.family() + ": merge = W + s·B·A");
            assertNotEquals(base.fingerprint(), a.mergeInto(base).fingerprint());
        }
    }

    @Test
    void trainingLowersLossAndLeavesBaseBitIdentical() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 13);
        String before = base.fingerprint();
        float[] wfc = base.weight("h.0.mlp.c_fc.weight").data().clone();
        List<Example> ex = Fixtures.userExamples("u", "yes", 16, 3);
        TrainResult<LoraAdapter> r = LoraTrainer.train(base, LoraAdapter.init(LoraSpec.ffn(4, 8), base, 1), ex,
                TrainOptions.defaults().withSteps(40).withLr(1e-2).withSchedule(TrainOptions.Schedule.CONSTANT, 0));
        assertEquals(40, r.steps());
        assertTrue(r.lastLoss() < 0.5 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
        assertEquals(before, base.fingerprint(), "base weights must be bit-identical after training");
        assertArrayEquals(wfc, base.weight("h.0.mlp.c_fc.weight").data());
        assertTrue(r.params().b("h.0.mlp.c_fc").maxAbsDiff(Tensor.zeros(r.params().b("h.0.mlp.c_fc").shape())) > 0);
    }

    @Test
    void tokenOutsideTheVocabularyFailsWithAClearErrorInsteadOfCrashingTheJvm() {
        ModelConfig cfg = ModelConfig.tiny();
        BaseModel base = Fixtures.base(cfg, 14);
        int bad = cfg.vocabSize() + 7;
        List<Example> ex = List.of(new Example("u", new int[]{65, 66, bad}, new int[]{67, Fixtures.TOK.eos()}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                LoraTrainer.train(base, LoraAdapter.init(LoraSpec.ffn(4, 8), base, 1), ex, TrainOptions.defaults().withSteps(1)));
        assertTrue(e.getMessage().contains("token id " + bad) && e.getMessage().contains("vocabulary of " + cfg.vocabSize()), e.getMessage());
    }

    @Test
    void sameSeedGivesBitIdenticalAdapters() {
        BaseModel base = Fixtures.base(ModelConfig.tinyLlama(), 14);
        List<Example> ex = Fixtures.userExamples("u", "ok", 12, 4);
        TrainOptions o = TrainOptions.defaults().withSteps(6).withBatchSize(4).withLr(5e-3);
        LoraAdapter a1 = LoraTrainer.train(base, LoraAdapter.init(ALL, base, 2), ex, o).params();
        LoraAdapter a2 = LoraTrainer.train(base, LoraAdapter.init(ALL, base, 2), ex, o).params();
        LoraAdapter a3 = LoraTrainer.train(base, LoraAdapter.init(ALL, base, 2), ex, o.withSeed(99)).params();
        LoraTrainer.releaseGraphs();
        LoraAdapter fresh = LoraTrainer.train(base, LoraAdapter.init(ALL, base, 2), ex, o).params();
        assertEquals(0.0, Fixtures.maxAbsDiff(a1, a2), 0.0, "a cached graph reloads every value");
        assertEquals(0.0, Fixtures.maxAbsDiff(a1, fresh), 0.0);
        assertTrue(Fixtures.maxAbsDiff(a1, a3) > 0, "another seed samples other batches");
    }

    @Test
    void earlyStoppingEndsBeforeTheLastStepWhenDevLossStalls() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 15);
        List<Example> train = Fixtures.userExamples("u", "yes", 8, 5);
        List<Example> dev = Fixtures.userExamples("u", "no", 4, 6);   // contradicts training: dev loss rises
        TrainResult<LoraAdapter> r = LoraTrainer.train(base, LoraAdapter.init(LoraSpec.ffn(4, 8), base, 1), train, dev,
                TrainOptions.defaults().withSteps(60).withLr(2e-2).withEarlyStopping(2, 5));
        assertTrue(r.steps() < 60, "stopped after " + r.steps() + " steps, dev " + r.devLoss());
        assertFalse(r.devLoss().isEmpty());
    }

    @Test
    void greedyAndChooseReproduceTheTrainedAnswer() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 16);
        List<Example> ex = Fixtures.userExamples("u", "yes", 16, 7);
        LoraAdapter a = LoraTrainer.train(base, LoraAdapter.init(LoraSpec.ffn(8, 16), base, 1), ex,
                TrainOptions.defaults().withSteps(60).withLr(2e-2).withSchedule(TrainOptions.Schedule.CONSTANT, 0)).params();
        Composition c = Composition.of(a.mergeInto(base));
        int[] prompt = Fixtures.TOK.encode("spark 2:");
        assertEquals("yes", Fixtures.TOK.decode(Generator.greedy(c, null, prompt, 6, ByteTokenizer.EOS)));
        List<int[]> labels = List.of(Fixtures.TOK.encode("no"), Fixtures.TOK.encode("yes"), Fixtures.TOK.encode("maybe"));
        assertEquals(1, Generator.choose(c, null, prompt, labels));
        double trained = Generator.meanLoss(c, Map.of(), ex);
        double untrained = Generator.meanLoss(Composition.of(base), Map.of(), ex);
        assertTrue(trained < 0.2 * untrained, "dev loss " + untrained + " -> " + trained);
    }

    @Test
    void adaptersAverageElementWise() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 17);
        LoraAdapter x = Fixtures.randomize(LoraAdapter.init(LoraSpec.ffn(2, 4), base, 1), 1, 1);
        LoraAdapter y = Fixtures.randomize(LoraAdapter.init(LoraSpec.ffn(2, 4), base, 1), 1, 2);
        LoraAdapter m = LoraAdapter.average(List.of(x, y));
        float[] a = x.a("h.1.mlp.c_proj").data(), b = y.a("h.1.mlp.c_proj").data(), c = m.a("h.1.mlp.c_proj").data();
        for (int i = 0; i < a.length; i++) assertEquals((a[i] + b[i]) / 2, c[i], 1e-6);
    }
}
