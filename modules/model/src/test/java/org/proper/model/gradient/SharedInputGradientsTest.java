package org.proper.model.gradient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.shape.Concat;
import org.proper.model.Fixtures;
import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;
import org.proper.model.method.UserOptions;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.UserData;
import org.proper.model.train.UserTrainer;
import org.proper.model.train.UserTrainerTest;

class SharedInputGradientsTest {
    /**
     * h = x·V1 is read by four frozen maps (h·W1, h·W2ᵀ, h·W3 and h·W4, constants of 4, 2, 1 and 6 columns) and by
     * the trainable h·V2: dL/dh is a sum of five products, four of them with constants.
     */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable h = x.mmul(sd.var("v1", Fixtures.seeded(1, 3, 5)));                                   // [N,5]
        SDVariable a = h.mmul(sd.constant("w1", Fixtures.seeded(2, 5, 4)));                              // [N,4]
        SDVariable b = sd.mmul(h, sd.constant("w2", Fixtures.seeded(3, 2, 5)), false, true, false);      // [N,2]
        SDVariable c = h.mmul(sd.constant("w3", Fixtures.seeded(4, 5, 1)));                              // [N,1]
        SDVariable d = h.mmul(sd.var("v2", Fixtures.seeded(5, 5, 3)));                                   // [N,3]
        SDVariable e = sd.math.tanh(h.mmul(sd.constant("w4", Fixtures.seeded(8, 5, 6))));                // [N,6]
        SDVariable all = sd.concat(1, sd.math.tanh(a), sd.math.sin(b), c.mul(c), sd.math.cos(d));
        all.mul(all).sum().add(e.sum()).rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    private static long count(SameDiff grad, Class<?> type) {
        return grad.getOps().values().stream().filter(o -> type.isInstance(o.getOp())).count();
    }

    @Test
    void aGradientSumOfFrozenProductsBecomesOneGemmAndTheGradientsStayTheSame() {
        Map<String, INDArray> feed = Map.of("x", Fixtures.seeded(6, 7, 3));
        List<String> vars = List.of("v1", "v2");
        Map<String, INDArray> expected = graph().calculateGradients(feed, vars.toArray(String[]::new));
        SameDiff rewritten = graph();
        FrozenWeightGradients.prune(rewritten, Set.of());                 // products with constants: dL/dh only
        SameDiff grad = rewritten.getFunction("grad");
        long matmuls = count(grad, Mmul.class), concats = count(grad, Concat.class);

        assertEquals(3, SharedInputGradients.apply(rewritten), "the four products with constants in dL/dh's sum become one");
        assertEquals(matmuls - 3, count(grad, Mmul.class), "one GEMM instead of four");
        assertEquals(concats + 1, count(grad, Concat.class), "one concat of the four incoming gradients");
        Map<String, INDArray> actual = rewritten.calculateGradients(feed, vars.toArray(String[]::new));
        for (String v : vars) {
            assertTrue(expected.get(v).norm2Number().doubleValue() > 1e-3, v + " has a real gradient");
            assertEquals(0.0, expected.get(v).sub(actual.get(v)).amaxNumber().doubleValue(), 1e-12, v);
        }
    }

    /** loss = Σ tanh(a·W1 + b·W2 + c·W3)², a, b, c = x·V1, x·V2, x·V3: a forward sum of three products with constants. */
    private static SameDiff forwardSum(Set<SumGradients.Sum> declared) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, -1, 3);
        SDVariable[] p = new SDVariable[3];
        for (int i = 0; i < 3; i++)
            p[i] = x.mmul(sd.var("v" + i, Fixtures.seeded(10 + i, 3, 2 + i))).mmul(sd.constant("w" + i, Fixtures.seeded(20 + i, 2 + i, 8)));  // [N,8]
        SDVariable ab = p[0].add(p[1]), y = ab.add(p[2]);
        declared.add(new SumGradients.Sum(p[0].name(), p[1].name()));
        declared.add(new SumGradients.Sum(ab.name(), p[2].name()));
        SDVariable t = sd.math.tanh(y);
        t.mul(t).sum().rename("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    @Test
    void aProductThatABackpropOpAlsoReadsStaysAndOneOnlyTheSumReadsIsFused() {
        Map<String, INDArray> feed = Map.of("x", Fixtures.seeded(30, 5, 3));
        String[] vars = {"v0", "v1", "v2"};
        Set<SumGradients.Sum> declared = new HashSet<>();
        Map<String, INDArray> expected = forwardSum(declared).calculateGradients(feed, vars);

        SameDiff withAddBps = forwardSum(new HashSet<>());
        GradGraph.gradFunction(withAddBps);
        assertEquals(0, SharedInputGradients.apply(withAddBps), "SameDiff's add_bp ops read the products: nothing to fuse");
        SameDiff passedOn = forwardSum(declared);
        SumGradients.apply(passedOn, declared);
        // with the sums' add_bp gone only the sum reads them: the two narrowest in one GEMM (the sum's root, which
        // keeps its name, adds the widest)
        assertEquals(1, SharedInputGradients.apply(passedOn), "two products in one GEMM");
        for (SameDiff sd : List.of(withAddBps, passedOn)) {
            Map<String, INDArray> actual = sd.calculateGradients(feed, vars);
            for (String v : vars) assertEquals(0.0, expected.get(v).sub(actual.get(v)).amaxNumber().doubleValue(), 1e-12, v);
        }
    }

    @Test
    void aUserGraphComputesEachFfnInputGradientWithOneGemmAndTrainsTheSameUsers() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 7);
        GraphSpec spec = Fixtures.twoUsersSpec(base);
        long before = withoutFusion(() -> count(new ModelGraph(base, spec, DataType.FLOAT, 16).sd().getFunction("grad"), Mmul.class));
        long after = count(new ModelGraph(base, spec, DataType.FLOAT, 16).sd().getFunction("grad"), Mmul.class);
        // per layer: c_proj's input gradient, the base weight's, the experts' Acat's and the router's v's products in one
        // GEMM (two fewer); c_fc's input gradient but in layer 0 (nothing trains below it), Acat's and v's in one (one
        // fewer; the base weight's eps, as wide as the FFN, would cost more to copy than it saves); and c_fc's forward
        // sum x·W + (g·xAcatᵀ)·Bcatᵀ, [x | g·xAcatᵀ] narrower than the FFN's output (one fewer)
        assertEquals(4L * base.config().nLayers() - 1, before - after, "GEMMs: " + before + " -> " + after);

        GroupExperts ge = UserTrainerTest.experts(base);
        List<UserData> users = new ArrayList<>();
        for (int u = 0; u < 3; u++)
            users.add(new UserData("user" + u, Fixtures.emb(u, 0.1), Fixtures.userExamples("user" + u, "answer " + u, 3 + u, 10 + u), List.of()));
        TrainOptions o = TrainOptions.defaults().withSteps(6).withLr(5e-3);
        List<UserTrainer.UserResult> fused = UserTrainer.trainBatched(base, ge, users, UserOptions.defaults(), o);
        List<UserTrainer.UserResult> plain = withoutFusion(() -> UserTrainer.trainBatched(base, ge, users, UserOptions.defaults(), o));
        List<UserAdapter> start = UserTrainer.initAdapters(base, ge, users, UserOptions.defaults(), o);
        for (int u = 0; u < users.size(); u++) {
            assertTrue(UserTrainerTest.maxDiff(start.get(u), fused.get(u).adapter()) > 1e-4, "user " + u + " trained");
            for (int i = 0; i < plain.get(u).loss().size(); i++)
                assertEquals(plain.get(u).loss().get(i), fused.get(u).loss().get(i), 1e-5, "user " + u + " step " + i);
            double diff = UserTrainerTest.maxDiff(plain.get(u).adapter(), fused.get(u).adapter());
            assertTrue(diff <= 1e-5, "user " + u + ": one GEMM vs one per map: " + diff);
        }
    }

    private static <T> T withoutFusion(Supplier<T> run) {
        return Fixtures.withSwitchOff(SharedInputGradients.SWITCH, run);
    }
}
