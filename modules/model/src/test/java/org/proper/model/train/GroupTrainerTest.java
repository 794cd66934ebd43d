package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.proper.model.Fixtures;
import org.proper.model.infer.Composition;
import org.proper.model.infer.Generator;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.GroupOptions;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;

class GroupTrainerTest {
    static final String[] ANSWERS = {"alpha", "beta", "gamma"};

    static List<Example> data(Map<String, float[]> emb) {
        List<Example> ex = new ArrayList<>();
        for (int grp = 0; grp < 3; grp++)
            for (int u = 0; u < 2; u++) {
                String id = "g" + grp + "u" + u;
                emb.put(id, Fixtures.emb(grp, 0.05 * (u + 1)));
                ex.addAll(Fixtures.userExamples(id, ANSWERS[grp], 6, grp * 10 + u));
            }
        return ex;
    }

    @Test
    void jointTrainingLowersLossAndMovesRouterAndExperts() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 31);
        Map<String, float[]> emb = new HashMap<>();
        List<Example> ex = data(emb);
        GroupExperts start = GroupExperts.init(LoraSpec.ffn(4, 8), base.config(), Fixtures.centroids(), 1.0, 5);
        TrainResult<GroupExperts> r = GroupTrainer.trainJoint(base, start, ex, emb, GroupOptions.defaults(),
                TrainOptions.defaults().withSteps(40).withLr(1e-2).withBatchSize(8));
        assertTrue(r.lastLoss() < 0.6 * r.firstLoss(), "loss " + r.firstLoss() + " -> " + r.lastLoss());
        GroupExperts g = r.params();
        assertTrue(g.centroids().maxAbsDiff(start.centroids()) > 0, "centroids are trainable");
        assertTrue(g.routerV().get("h.0.mlp.c_fc").maxAbsDiff(start.routerV().get("h.0.mlp.c_fc")) > 0, "v moved from 0");
        double mixed = Generator.meanLoss(Composition.of(base, g), emb, ex);
        double plain = Generator.meanLoss(Composition.of(base), emb, ex);
        assertTrue(mixed < 0.6 * plain, "dev loss with experts " + mixed + " vs base " + plain);
    }

    @Test
    void hardRoutingTrainsExpertsButNotTheRouter() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 32);
        Map<String, float[]> emb = new HashMap<>();
        List<Example> ex = data(emb);
        GroupExperts start = GroupExperts.init(LoraSpec.ffn(4, 8), base.config(), Fixtures.centroids(), 1.0, 5);
        TrainResult<GroupExperts> r = GroupTrainer.trainJoint(base, start, ex, emb, new GroupOptions(0, 0, true),
                TrainOptions.defaults().withSteps(10).withLr(1e-2));
        assertEquals(0.0, r.params().centroids().maxAbsDiff(start.centroids()), 0.0);
        assertTrue(r.lastLoss() < r.firstLoss());
        // with hard routing only the nearest expert sees a user's examples: expert 1 never saw group 0's data
        double e1 = Fixtures.maxAbsDiff(r.params().experts().get(1), start.experts().get(1));
        assertTrue(e1 > 0, "expert 1 trained on its own cluster");
    }

    @Test
    void warmStartTrainsOneExpertPerCluster() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 33);
        Map<String, float[]> emb = new HashMap<>();
        List<Example> ex = data(emb);
        List<LoraAdapter> experts = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            String prefix = "g" + k;
            List<Example> cluster = ex.stream().filter(e -> e.userId().startsWith(prefix)).toList();
            TrainResult<LoraAdapter> r = GroupTrainer.warmStart(base, LoraSpec.ffn(4, 8), cluster, TrainOptions.defaults().withSteps(8).withLr(1e-2).withSeed(k));
            assertTrue(r.lastLoss() < r.firstLoss());
            experts.add(r.params());
        }
        GroupExperts g = GroupExperts.of(experts, Fixtures.centroids(), 1.0);
        assertEquals(3, g.k());
        assertEquals(0.0, g.routerV().get("h.1.mlp.c_proj").maxAbsDiff(Tensor.zeros(3, 64)), 0.0);
        assertEquals(2, g.nearest(Fixtures.emb(2, 0.1)));
        GroupExperts avg = GroupExperts.average(List.of(g, g));
        assertEquals(0.0, Fixtures.maxAbsDiff(avg.experts().get(1), g.experts().get(1)), 1e-7);
    }
}
