package org.proper.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;

class UserTrainerTest {
    static final TrainOptions OPTS = TrainOptions.defaults().withSteps(8).withBatchSize(4).withLr(1e-2).withSchedule(TrainOptions.Schedule.COSINE, 2);

    static List<UserData> users() {
        return List.of(
                new UserData("ann", Fixtures.emb(0, 0.1), Fixtures.userExamples("ann", "alpha", 3, 1), List.of()),
                new UserData("bob", Fixtures.emb(1, 0.2), Fixtures.userExamples("bob", "beta", 6, 2), List.of()),
                new UserData("cy", Fixtures.emb(2, 0.1), Fixtures.userExamples("cy", "gamma ray", 9, 3), List.of()),
                new UserData("dee", Fixtures.emb(0, 0.3), Fixtures.userExamples("dee", "delta", 2, 4), List.of()));
    }

    static GroupExperts experts(BaseModel base) {
        return Fixtures.randomExperts(GroupExperts.init(LoraSpec.ffn(2, 4), base.config(), Fixtures.centroids(), 1.0, 3), 0.2, 4);
    }

    static double maxDiff(UserAdapter a, UserAdapter b) {
        double m = Fixtures.maxAbsDiff(a.lora(), b.lora());
        for (String k : a.routerR().keySet()) m = Math.max(m, a.routerR().get(k).maxAbsDiff(b.routerR().get(k)));
        return m;
    }

    @Test
    void batchedTrainingEqualsOneByOneWithin1e4() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 21);
        GroupExperts ge = experts(base);
        UserOptions uo = UserOptions.defaults();
        List<UserTrainer.UserResult> batched = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
        List<UserTrainer.UserResult> single = UserTrainer.trainOneByOne(base, ge, users(), uo, OPTS);
        assertEquals(4, batched.size());
        for (int u = 0; u < 4; u++) {
            UserAdapter a = batched.get(u).adapter(), b = single.get(u).adapter();
            assertEquals(a.userId(), b.userId());
            assertFalse(a.routerR().isEmpty(), "the LoRA-aware router's R is trained");
            assertTrue(a.routerR().values().iterator().next().maxAbsDiff(Tensor.zeros(3, 4)) > 0, "R moved from 0");
            assertTrue(maxDiff(a, b) <= 1e-4, a.userId() + " batched vs one-by-one: " + maxDiff(a, b));
            List<Double> lb = batched.get(u).loss(), ls = single.get(u).loss();
            assertEquals(8, lb.size());
            for (int s = 0; s < 8; s++) assertEquals(ls.get(s), lb.get(s), 1e-4);
            assertTrue(lb.get(7) < lb.get(0), a.userId() + " loss " + lb);
        }
    }

    @Test
    void oneUsersExamplesNeverChangeAnotherUsersAdapter() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 22);
        GroupExperts ge = experts(base);
        List<UserData> all = users();
        UserOptions uo = UserOptions.defaults();
        UserAdapter withBob = UserTrainer.trainBatched(base, ge, List.of(all.get(0), all.get(1)), uo, OPTS).get(0).adapter();
        UserAdapter withCy = UserTrainer.trainBatched(base, ge, List.of(all.get(0), all.get(2)), uo, OPTS).get(0).adapter();
        assertTrue(maxDiff(withBob, withCy) <= 1e-5, "ann depends on her batch-mates: " + maxDiff(withBob, withCy));
    }

    @Test
    void ablationsTrainEquivalentlyToo() {
        BaseModel base = Fixtures.base(ModelConfig.tinyLlama(), 23);
        GroupExperts ge = experts(base);
        List<UserData> us = users().subList(0, 3);
        TrainOptions o = OPTS.withSteps(4);
        for (UserOptions uo : List.of(new UserOptions(LoraSpec.ffn(4, 8), true, false, false),   // β = g
                new UserOptions(LoraSpec.ffn(4, 8), false, true, false),                          // hard clusters
                new UserOptions(LoraSpec.ffn(4, 8), false, false, true))) {                       // OPPU
            List<UserTrainer.UserResult> b = UserTrainer.trainBatched(base, ge, us, uo, o);
            List<UserTrainer.UserResult> s = UserTrainer.trainOneByOne(base, ge, us, uo, o);
            for (int u = 0; u < us.size(); u++) {
                assertTrue(maxDiff(b.get(u).adapter(), s.get(u).adapter()) <= 1e-4, uo + " user " + u);
                assertEquals(uo.fixedBeta() || uo.noGroupLevel(), b.get(u).adapter().routerR().isEmpty(), uo.toString());
            }
        }
    }
}
