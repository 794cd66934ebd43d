package org.proper.model.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.proper.model.Fixtures;
import org.proper.model.graph.FrozenPrefix;
import org.proper.model.graph.GraphCache;
import org.proper.model.graph.GraphSpec;
import org.proper.model.kernel.ThreadArrays;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraMath;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;
import org.proper.model.method.UserOptions;

public class UserTrainerTest {
    public static final TrainOptions OPTS = TrainOptions.defaults().withSteps(8).withBatchSize(4).withLr(1e-2).withSchedule(TrainOptions.Schedule.COSINE, 2);

    public static List<UserData> users() {
        return List.of(
                new UserData("ann", Fixtures.emb(0, 0.1), Fixtures.userExamples("ann", "alpha", 3, 1), List.of()),
                new UserData("bob", Fixtures.emb(1, 0.2), Fixtures.userExamples("bob", "beta", 6, 2), List.of()),
                new UserData("cy", Fixtures.emb(2, 0.1), Fixtures.userExamples("cy", "gamma ray", 9, 3), List.of()),
                new UserData("dee", Fixtures.emb(0, 0.3), Fixtures.userExamples("dee", "delta", 2, 4), List.of()));
    }

    public static GroupExperts experts(BaseModel base) {
        return Fixtures.randomExperts(GroupExperts.init(LoraSpec.ffn(2, 4), base.config(), Fixtures.centroids(), 1.0, 3), 0.2, 4);
    }

    public static double maxDiff(UserAdapter a, UserAdapter b) {
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
    void theFrozenPrefixIsUsedAndGivesTheAdaptersOfTheFullGraph() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 24);
            GroupExperts ge = experts(base);
            UserOptions uo = UserOptions.defaults();
            List<UserTrainer.UserResult> withPrefix, full, oneByOne;
            LoraTrainer.releaseGraphs();
            withPrefix = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
            assertTrue(GraphCache.graphsOfThisThread().stream().anyMatch(g -> g.frozenPrefix()), cfg.family() + ": the prefix applies here");
            oneByOne = UserTrainer.trainOneByOne(base, ge, users(), uo, OPTS);
            System.setProperty(FrozenPrefix.SWITCH, "false");
            try {
                LoraTrainer.releaseGraphs();
                full = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
                assertTrue(GraphCache.graphsOfThisThread().stream().noneMatch(g -> g.frozenPrefix()), "switched off");
            } finally {
                System.clearProperty(FrozenPrefix.SWITCH);
            }
            for (int u = 0; u < 4; u++) {
                UserAdapter a = withPrefix.get(u).adapter();
                assertTrue(maxDiff(a, full.get(u).adapter()) <= 1e-5, cfg.family() + " " + a.userId() + " prefix vs full graph: "
                        + maxDiff(a, full.get(u).adapter()));
                assertTrue(maxDiff(a, oneByOne.get(u).adapter()) <= 1e-4, cfg.family() + " " + a.userId() + " batched vs one by one");
                for (int s = 0; s < 8; s++) assertEquals(full.get(u).loss().get(s), withPrefix.get(u).loss().get(s), 1e-5);
            }
        }
    }

    @Test
    void aCallReusingTheLastCallsPrefixBuffersGivesTheAdaptersOfFreshOnes() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 25);
        GroupExperts ge = experts(base);
        UserOptions uo = UserOptions.defaults();
        LoraTrainer.releaseArrays();
        List<UserTrainer.UserResult> fresh = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
        List<UserData> others = List.of(
                new UserData("eve", Fixtures.emb(1, 0.4), Fixtures.userExamples("eve", "epsilon", 12, 5), List.of()),
                new UserData("fay", Fixtures.emb(2, 0.2), Fixtures.userExamples("fay", "phi", 10, 6), List.of()));
        UserTrainer.trainBatched(base, ge, others, uo, OPTS);          // grows the thread's buffers
        ThreadArrays.fill(Double.NaN);                                  // and leaves garbage in them
        List<UserTrainer.UserResult> reused = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
        for (int u = 0; u < 4; u++) {
            assertEquals(0.0, maxDiff(fresh.get(u).adapter(), reused.get(u).adapter()), fresh.get(u).adapter().userId());
            assertEquals(fresh.get(u).loss(), reused.get(u).loss());
        }
        LoraTrainer.releaseArrays();
    }

    @Test
    void theExpertGatesSpreadByMatmulGiveTheAdaptersOfTheBroadcastProduct() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 26);
        GroupExperts ge = experts(base);
        UserOptions uo = UserOptions.defaults();
        LoraTrainer.releaseGraphs();
        List<UserTrainer.UserResult> byMatmul = UserTrainer.trainBatched(base, ge, users(), uo, OPTS);
        List<UserTrainer.UserResult> broadcast = Fixtures.withSwitchOff(LoraMath.GATE_BY_MATMUL,
                () -> UserTrainer.trainBatched(base, ge, users(), uo, OPTS));
        for (int u = 0; u < 4; u++)
            assertTrue(maxDiff(byMatmul.get(u).adapter(), broadcast.get(u).adapter()) <= 1e-6,
                    byMatmul.get(u).adapter().userId() + ": " + maxDiff(byMatmul.get(u).adapter(), broadcast.get(u).adapter()));
    }

    @Test
    void theFrozenPrefixIsSkippedWhereItCannotPay() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 25);
        GraphSpec users = new GraphSpec(false, null, false, experts(base), false, false, 0, 0,
                UserTrainer.initAdapters(base, experts(base), users(), UserOptions.defaults(), OPTS), true, false);
        assertTrue(FrozenPrefix.applies(base.config(), users));
        assertFalse(FrozenPrefix.applies(ModelConfig.gpt2(32, 1, 2, 64, 64), users), "one layer: layer 0 is the windowed top");
        UserOptions attn = new UserOptions(new LoraSpec(2, 4, java.util.EnumSet.of(LoraTarget.FFN, LoraTarget.ATTN_Q)), false, false, false);
        GraphSpec withAttention = new GraphSpec(false, null, false, null, false, false, 0, 0,
                UserTrainer.initAdapters(base, null, users(), attn, OPTS), true, false);
        assertFalse(FrozenPrefix.applies(base.config(), withAttention), "an adapter on layer 0's attention");
        assertTrue(FrozenPrefix.worthIt(base.config(), 20, 10, 32));
        assertFalse(FrozenPrefix.worthIt(base.config(), 19, 10, 32), "under two uses per example");
        System.setProperty("proper.frozenPrefixMb", "0");
        try {
            assertFalse(FrozenPrefix.worthIt(base.config(), 20, 10, 32), "over the memory budget");
        } finally {
            System.clearProperty("proper.frozenPrefixMb");
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

    /**
     * ann's dev answers contradict her training answers, so her dev loss rises once she fits them and she stops early;
     * bob's dev answers are his training answers, so he improves until the end; cy has no dev examples.
     */
    static List<UserData> usersWithDev() {
        return List.of(
                new UserData("ann", Fixtures.emb(0, 0.1), Fixtures.userExamples("ann", "alpha", 3, 1), Fixtures.userExamples("ann", "omega zulu", 2, 7)),
                new UserData("bob", Fixtures.emb(1, 0.2), Fixtures.userExamples("bob", "beta", 6, 2), Fixtures.userExamples("bob", "beta", 3, 8)),
                new UserData("cy", Fixtures.emb(2, 0.1), Fixtures.userExamples("cy", "gamma ray", 5, 3), List.of()));
    }

    @Test
    void eachUserStopsEarlyOnItsOwnDevLossAndBatchedStillEqualsOneByOne() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 24);
        GroupExperts ge = experts(base);
        UserOptions uo = UserOptions.defaults();
        int steps = 30;
        TrainOptions o = OPTS.withLr(5e-2).withSteps(steps).withEarlyStopping(2, 2);
        List<UserTrainer.UserResult> batched = UserTrainer.trainBatched(base, ge, usersWithDev(), uo, o);
        List<UserTrainer.UserResult> single = UserTrainer.trainOneByOne(base, ge, usersWithDev(), uo, o);
        for (int u = 0; u < 3; u++) {
            UserTrainer.UserResult b = batched.get(u), s = single.get(u);
            assertTrue(maxDiff(b.adapter(), s.adapter()) <= 1e-4, b.adapter().userId() + ": " + maxDiff(b.adapter(), s.adapter()));
            assertEquals(s.loss().size(), b.loss().size(), b.adapter().userId() + " steps");
            assertEquals(s.devLoss().size(), b.devLoss().size(), b.adapter().userId() + " evaluations");
            // relative 1e-3: at lr 5e-2 bob's training loss jumps from 0.25 to 1.07 at step 10, and that step amplifies
            // the two paths' float differences (1e-7 before it) to ~3e-4 in the dev loss right after it
            for (int e = 0; e < b.devLoss().size(); e++)
                assertEquals(s.devLoss().get(e), b.devLoss().get(e), 1e-3 * Math.abs(s.devLoss().get(e)), b.adapter().userId() + " evaluation " + e);
        }
        UserTrainer.UserResult ann = batched.get(0), bob = batched.get(1), cy = batched.get(2);
        assertTrue(ann.loss().size() < steps, "ann stopped early: " + ann.devLoss());
        assertEquals(ann.loss().size() / 2, ann.devLoss().size(), "one dev evaluation every 2 steps");
        assertEquals(steps, cy.loss().size(), "a user without dev examples trains every step");
        assertTrue(cy.devLoss().isEmpty());
        assertTrue(bob.loss().size() > ann.loss().size(), "bob went on after ann stopped: " + bob.devLoss());

        // ann keeps the adapter of her best evaluation: exactly the adapter of training her alone up to that step
        List<Double> dl = ann.devLoss();
        int bestEval = dl.indexOf(dl.stream().min(Double::compare).orElseThrow());
        int bestStep = 2 * (bestEval + 1);
        TrainOptions upToBest = OPTS.withLr(5e-2).withSteps(bestStep).withScheduleWindow(0, steps);
        UserData annNoDev = new UserData("ann", usersWithDev().get(0).embedding(), usersWithDev().get(0).train(), List.of());
        UserAdapter expected = UserTrainer.trainOneByOne(base, ge, List.of(annNoDev), uo, upToBest).get(0).adapter();
        assertTrue(maxDiff(ann.adapter(), expected) <= 1e-5, "ann's adapter is her best one: " + maxDiff(ann.adapter(), expected));
    }
}
