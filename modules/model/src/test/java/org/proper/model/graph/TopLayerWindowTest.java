package org.proper.model.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.GroupOptions;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserOptions;
import org.proper.model.train.GroupTrainer;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;
import org.proper.model.train.UserTrainerTest;

/**
 * The top layer on a window of positions per row ({@link ModelGraph}'s class comment) trains exactly what the whole
 * top layer trains: the same losses and the same adapters as with -Dproper.topLayerWindow=false, for prompts and
 * answers of mixed lengths, including rows whose window must end at the row's last position.
 */
public class TopLayerWindowTest {
    private static final TrainOptions OPTS = TrainOptions.defaults().withSteps(6).withBatchSize(4).withLr(1e-2);

    @AfterEach
    void dropGraphs() {
        System.clearProperty(ModelGraph.TOP_LAYER_WINDOW);
        LoraTrainer.releaseGraphs();
    }

    /** Prompts of 3..26 bytes, answers of 1..6 bytes (+ EOS): T = 32, window 8; the longest prompts put the window at T − 8. */
    public static List<Example> mixedExamples(String user, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StringBuilder p = new StringBuilder(), a = new StringBuilder();
            int pl = i == 0 ? 26 : 3 + r.nextInt(24), al = i == 0 ? 3 : 1 + r.nextInt(6);
            for (int j = 0; j < pl; j++) p.append((char) ('a' + r.nextInt(26)));
            for (int j = 0; j < al; j++) a.append((char) ('A' + r.nextInt(26)));
            out.add(Example.of(Fixtures.TOK, user, p.toString(), a.toString()));
        }
        return out;
    }

    /** The same run with the top layer at every position (fresh graphs on both sides). */
    private static <T> T withoutWindow(Supplier<T> run) {
        return Fixtures.withSwitchOff(ModelGraph.TOP_LAYER_WINDOW, run);
    }

    private static void assertSameLosses(List<Double> expected, List<Double> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), 1e-5, what + " step " + i);
    }

    @Test
    void theExamplesNeedAWindowOfEightOfTheirThirtyTwoPositions() {
        List<Example> ex = mixedExamples("u", 12, 1);
        int t = Batch.seqLenFor(ex, 64);
        assertEquals(32, t);
        assertEquals(8, Batch.windowFor(ex, t));
        BaseModel base = Fixtures.base(ModelConfig.tiny().withMaxSeqLen(32), 3);
        GraphSpec lora = new GraphSpec(false, LoraAdapter.init(LoraSpec.ffn(4, 8), base, 1), true, null, false, false, 0, 0, null, false, false);
        assertEquals(8, new ModelGraph(base, lora, DataType.FLOAT, t, 8).window(), "the LoRA stage runs its top layer on the window");
    }

    @Test
    void aLoraTrainedThroughTheWindowEqualsOneTrainedAtEveryPosition() {
        LoraSpec attentionToo = new LoraSpec(4, 8, EnumSet.allOf(LoraTarget.class));   // the window's q rows carry an adapter
        for (ModelConfig cfg : List.of(ModelConfig.tiny().withMaxSeqLen(32), ModelConfig.tinyLlama().withMaxSeqLen(32)))
            for (LoraSpec spec : List.of(LoraSpec.ffn(4, 8), attentionToo)) {
                BaseModel base = Fixtures.base(cfg, 3);
                LoraAdapter start = Fixtures.randomize(LoraAdapter.init(spec, base, 1), 0.05, 2);
                List<Example> train = mixedExamples("u", 12, 1), dev = mixedExamples("u", 5, 2);
                TrainResult<LoraAdapter> windowed = LoraTrainer.train(base, start, train, dev, OPTS);
                TrainResult<LoraAdapter> whole = withoutWindow(() -> LoraTrainer.train(base, start, train, dev, OPTS));
                assertSameLosses(whole.loss(), windowed.loss(), cfg.family() + " training loss");
                assertSameLosses(whole.devLoss(), windowed.devLoss(), cfg.family() + " dev loss");
                assertTrue(Fixtures.maxAbsDiff(whole.params(), start) > 1e-3, "the adapter trained");
                double diff = Fixtures.maxAbsDiff(whole.params(), windowed.params());
                assertTrue(diff <= 1e-5, cfg.family() + " " + spec.targets() + " windowed vs whole top layer: " + diff);
            }
    }

    @Test
    void usersTrainedThroughTheWindowEqualThoseTrainedAtEveryPosition() {
        BaseModel base = Fixtures.base(ModelConfig.tiny().withMaxSeqLen(32), 4);
        GroupExperts ge = UserTrainerTest.experts(base);
        List<UserData> users = new ArrayList<>();
        for (int u = 0; u < 3; u++)
            users.add(new UserData("user" + u, Fixtures.emb(u, 0.1), mixedExamples("user" + u, 3 + 2 * u, 10 + u), List.of()));
        for (UserOptions uo : List.of(UserOptions.defaults(), new UserOptions(LoraSpec.ffn(4, 8), false, true, false))) {
            List<UserTrainer.UserResult> windowed = UserTrainer.trainBatched(base, ge, users, uo, OPTS);
            List<UserTrainer.UserResult> whole = withoutWindow(() -> UserTrainer.trainBatched(base, ge, users, uo, OPTS));
            for (int u = 0; u < users.size(); u++) {
                String what = (uo.hardRouting() ? "hard routing, " : "LoRA-aware router, ") + users.get(u).userId();
                assertSameLosses(whole.get(u).loss(), windowed.get(u).loss(), what);
                double diff = UserTrainerTest.maxDiff(whole.get(u).adapter(), windowed.get(u).adapter());
                assertTrue(diff <= 1e-5, what + " windowed vs whole top layer: " + diff);
            }
        }
    }

    @Test
    void groupExpertsWithHardRoutingTrainThroughTheWindowAndALearnedRouterKeepsEveryPosition() {
        BaseModel base = Fixtures.base(ModelConfig.tiny().withMaxSeqLen(32), 5);
        GroupExperts start = UserTrainerTest.experts(base);
        List<Example> train = new ArrayList<>();
        for (int u = 0; u < 3; u++) train.addAll(mixedExamples("user" + u, 4, 20 + u));
        Map<String, float[]> emb = Map.of("user0", Fixtures.emb(0, 0.1), "user1", Fixtures.emb(1, 0.1), "user2", Fixtures.emb(2, 0.1));
        GroupOptions hard = new GroupOptions(0.1, 0, true);
        TrainResult<GroupExperts> windowed = GroupTrainer.trainJoint(base, start, train, emb, hard, OPTS);
        TrainResult<GroupExperts> whole = withoutWindow(() -> GroupTrainer.trainJoint(base, start, train, emb, hard, OPTS));
        assertSameLosses(whole.loss(), windowed.loss(), "hard-routed experts");
        for (int k = 0; k < start.k(); k++) {
            double diff = Fixtures.maxAbsDiff(whole.params().experts().get(k), windowed.params().experts().get(k));
            assertTrue(diff <= 1e-5, "expert " + k + " windowed vs whole top layer: " + diff);
        }
        GraphSpec learned = new GraphSpec(false, null, false, start, true, false, 0.1, 0.1, null, false, false);
        assertEquals(32, new ModelGraph(base, learned, DataType.FLOAT, 32, 8).window(),
                "the balance loss averages the router over every token, so its graph keeps them all");
    }

    @Test
    void eachRowsWindowStartsAtItsFirstHeadRowOrEndsAtTheRowsEnd() {
        List<Example> ex = List.of(Example.of(Fixtures.TOK, "u", "abc", "XY"),               // loss positions 2..4
                Example.of(Fixtures.TOK, "u", "a".repeat(28), "XY"));                         // 27..29: window 24..31
        Batch b = Batch.of(new ArrayList<>(java.util.Arrays.asList(ex.get(0), ex.get(1), null)), 32, 0, null, null, null, null);
        assertArrayEquals(new int[]{2, 24, 24}, b.windowStarts(8), "a padding row has no head rows and takes the last window");
    }

    @Test
    void aRowWhoseHeadRowsSpanMoreThanTheWindowIsRefused() {
        Batch b = Batch.of(List.of(Example.of(Fixtures.TOK, "u", "abc", "a long answer")), 32, 0, null, null, null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.windowStarts(8));
        assertTrue(e.getMessage().contains("row 0") && e.getMessage().contains("window of 8"), e.getMessage());
    }

    @Test
    void aBaseTrainedThroughTheWindowGetsTheGradientsOfTheWholeTopLayer() {
        GraphSpec pretrain = new GraphSpec(true, null, false, null, false, false, 0, 0, null, false, false);
        for (ModelConfig cfg : List.of(ModelConfig.tiny().withMaxSeqLen(32), ModelConfig.tinyLlama().withMaxSeqLen(32))) {
            BaseModel base = Fixtures.base(cfg, 5);
            Batch b = Batches.of(mixedExamples("u", 4, 3), 32, null, null);
            ModelGraph windowed = new ModelGraph(base, pretrain, DataType.FLOAT, 32, 8), whole = new ModelGraph(base, pretrain, DataType.FLOAT, 32);
            assertEquals(8, windowed.window());
            Map<String, INDArray> gw = windowed.sd().calculateGradients(windowed.feed(b), windowed.trainable());
            Map<String, INDArray> g = whole.sd().calculateGradients(whole.feed(b), whole.trainable());
            for (String v : whole.trainable()) {
                assertClose(g.get(v), gw.get(v), cfg.family() + " " + v);
                if (v.endsWith("attn.c_attn.weight")) {                                        // GPT-2's q columns on their own scale
                    INDArrayIndex[] q = {NDArrayIndex.all(), NDArrayIndex.interval(0, cfg.dModel())};
                    assertClose(g.get(v).get(q), gw.get(v).get(q), v + " q columns");
                }
            }
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = expected.amaxNumber().doubleValue();
        assertTrue(scale > 0, what + " has a gradient");
        double diff = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(diff <= 1e-5, what + ": relative difference " + diff);
    }
}
