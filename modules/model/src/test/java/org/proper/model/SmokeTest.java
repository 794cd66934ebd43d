package org.proper.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void everyGraphRuns() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = BaseModel.init(cfg, 1);
            LoraSpec spec = new LoraSpec(4, 8, java.util.EnumSet.allOf(LoraTarget.class));
            List<Example> ex = Fixtures.userExamples("u1", "yes", 8, 1);
            long t0 = System.nanoTime();
            TrainResult<LoraAdapter> r = LoraTrainer.train(base, LoraAdapter.init(spec, base, 3), ex, TrainOptions.defaults().withSteps(5));
            System.out.println(cfg.family() + " lora loss " + r.loss() + " " + (System.nanoTime() - t0) / 1e6 + " ms");
            GroupExperts ge = GroupExperts.init(spec, cfg, Fixtures.centroids(), 1.0, 5);
            Map<String, float[]> emb = Map.of("u1", Fixtures.emb(0, 0.1));
            TrainResult<GroupExperts> gr = GroupTrainer.trainJoint(base, ge, ex, emb, GroupOptions.defaults(), TrainOptions.defaults().withSteps(3));
            System.out.println("group loss " + gr.loss());
            TrainResult<GroupExperts> hr = GroupTrainer.trainJoint(base, ge, ex, emb, new GroupOptions(0.1, 0, true), TrainOptions.defaults().withSteps(3));
            System.out.println("hard loss " + hr.loss());
            List<UserData> users = List.of(new UserData("u1", Fixtures.emb(0, 0.1), ex, List.of()),
                    new UserData("u2", Fixtures.emb(1, 0.1), Fixtures.userExamples("u2", "no", 5, 2), List.of()));
            var ur = UserTrainer.trainBatched(base, gr.params(), users, new UserOptions(LoraSpec.ffn(2, 4), false, false, false), TrainOptions.defaults().withSteps(3));
            System.out.println("user loss " + ur.get(0).loss() + " " + ur.get(1).loss());
            Composition c = Composition.of(base, gr.params(), ur.get(0).adapter());
            int[] gen = Generator.greedy(c, Fixtures.emb(0, 0.1), Fixtures.TOK.encode("arrow 1:"), 5, ByteTokenizer.EOS);
            System.out.println("gen " + gen.length);
            int ch = Generator.choose(c, Fixtures.emb(0, 0.1), Fixtures.TOK.encode("arrow 1:"), List.of(Fixtures.TOK.encode("yes"), Fixtures.TOK.encode("no")));
            assertTrue(ch >= 0);
        }
    }
}
