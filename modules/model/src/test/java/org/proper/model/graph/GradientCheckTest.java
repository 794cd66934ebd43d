package org.proper.model.graph;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.Fixtures;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.Example;
import org.proper.model.lm.LoraTarget;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;

/** Finite-difference checks (double precision, central differences) of the LoRA, router and loss-term gradients. */
public class GradientCheckTest {
    public static final LoraSpec ALL = new LoraSpec(2, 4, EnumSet.allOf(LoraTarget.class));
    static final List<Example> EX = List.of(
            Example.of(Fixtures.TOK, "a", "arrow 1:", "yes"), Example.of(Fixtures.TOK, "b", "kafka 22:", "no"));
    static final Map<String, float[]> EMB = Map.of("a", Fixtures.emb(0, 0.2), "b", Fixtures.emb(2, 0.3));

    static void check(ModelGraph g, Batch b, String lossVar, String... vars) {
        // another loss needs a new gradient function: SameDiff's own (setLossVariables drops the graph's rewritten one)
        if (!g.sd().getLossVariables().equals(List.of(lossVar))) g.sd().setLossVariables(lossVar);
        Map<String, INDArray> ph = g.feed(b);
        Map<String, INDArray> grads = g.sd().calculateGradients(ph, vars);
        SplittableRandom r = new SplittableRandom(1);
        double h = 1e-6;
        for (String v : vars) {
            INDArray p = g.arr(v), grad = grads.get(v);
            assertNotNull(grad, "no gradient for " + v);
            double gmax = grad.amaxNumber().doubleValue();
            assertTrue(gmax > 0, "gradient of " + v + " is identically zero");
            List<Long> idx = new ArrayList<>();
            idx.add(grad.reshape(grad.length()).argMax().getLong(0) % p.length());  // the largest, plus random ones
            for (int i = 0; i < 5; i++) idx.add((long) r.nextInt((int) p.length()));
            for (long i : idx) {
                double old = p.getDouble(i);
                p.putScalar(i, old + h);
                double lp = g.sd().output(ph, lossVar).get(lossVar).getDouble(0);
                p.putScalar(i, old - h);
                double lm = g.sd().output(ph, lossVar).get(lossVar).getDouble(0);
                p.putScalar(i, old);
                double num = (lp - lm) / (2 * h), ana = grad.getDouble(i);
                assertEquals(num, ana, 1e-7 + 1e-4 * Math.max(Math.abs(num), Math.abs(ana)), v + "[" + i + "] numeric vs analytic");
            }
        }
    }

    @Test
    void loraFactorGradientsMatchFiniteDifferences() {
        for (ModelConfig cfg : List.of(ModelConfig.tiny(), ModelConfig.tinyLlama())) {
            BaseModel base = Fixtures.base(cfg, 1);
            LoraAdapter a = Fixtures.randomize(LoraAdapter.init(ALL, base, 1), 0.3, 2);
            ModelGraph g = new ModelGraph(base, new GraphSpec(false, a, true, null, false, false, 0, 0, null, false, false), DataType.DOUBLE, 16);
            Batch b = Batches.of(EX, 16, null, null);
            List<String> vars = new ArrayList<>();
            for (TargetModule m : a.modules()) if (m.name().contains(".1.") || m.kind() == LoraTarget.FFN) {
                vars.add("lora." + m.name() + ".A");
                vars.add("lora." + m.name() + ".B");
            }
            check(g, b, ModelGraph.LOSS, vars.toArray(new String[0]));
        }
    }

    private static GroupExperts experts(BaseModel base) {
        return Fixtures.randomExperts(GroupExperts.init(LoraSpec.ffn(2, 4), base.config(), Fixtures.centroids(), 0.5, 3), 0.3, 4);
    }

    @Test
    void routerAndExpertGradientsMatchFiniteDifferences() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 2);
        GroupExperts ge = experts(base);
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, null, false, ge, true, false, 0, 0, null, false, false), DataType.DOUBLE, 16);
        check(g, Batches.of(EX, 16, EMB, ge), ModelGraph.LOSS,
                "router.centroids", "router.h.0.mlp.c_fc.v", "router.h.1.mlp.c_proj.v", "experts.h.0.mlp.c_fc.A", "experts.h.1.mlp.c_proj.B");
    }

    @Test
    void diversityTermGradientsMatchFiniteDifferences() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 3);
        GroupExperts ge = experts(base);
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, null, false, ge, true, false, 1, 0, null, false, false), DataType.DOUBLE, 16);
        check(g, Batches.of(EX, 16, EMB, ge), ModelGraph.DIV, "experts.h.0.mlp.c_fc.A", "experts.h.0.mlp.c_fc.B");
    }

    @Test
    void diversityTermEqualsCosineOfTheFullDeltaWeights() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 3);
        GroupExperts ge = experts(base);
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, null, false, ge, true, false, 1, 0, null, false, false), DataType.DOUBLE, 16);
        double graph = g.sd().output(g.feed(Batches.of(EX, 16, EMB, ge)), ModelGraph.DIV).get(ModelGraph.DIV).getDouble(0);
        double expected = 0;   // mean over modules of Σ_{i<j} cos²(ΔW_i, ΔW_j) from the materialised ΔW
        List<TargetModule> mods = ge.modules();
        for (TargetModule m : mods) {
            double s = 0;
            for (int i = 0; i < ge.k(); i++)
                for (int j = i + 1; j < ge.k(); j++) {
                    double[] x = ge.experts().get(i).deltaWeight(m.name()), y = ge.experts().get(j).deltaWeight(m.name());
                    double xy = 0, xx = 0, yy = 0;
                    for (int q = 0; q < x.length; q++) {
                        xy += x[q] * y[q];
                        xx += x[q] * x[q];
                        yy += y[q] * y[q];
                    }
                    s += xy * xy / (xx * yy);
                }
            expected += s / mods.size();
        }
        assertEquals(expected, graph, 1e-6 * Math.max(1, expected));
    }

    @Test
    void balanceTermGradientsMatchFiniteDifferences() {
        BaseModel base = Fixtures.base(ModelConfig.tiny(), 4);
        GroupExperts ge = experts(base);
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, null, false, ge, true, false, 0, 1, null, false, false), DataType.DOUBLE, 16);
        check(g, Batches.of(EX, 16, EMB, ge), ModelGraph.BAL, "router.centroids", "router.h.0.mlp.c_fc.v");
    }

    @Test
    void userLoraAndLoraAwareRouterGradientsMatchFiniteDifferences() {
        BaseModel base = Fixtures.base(ModelConfig.tinyLlama(), 5);
        GroupExperts ge = experts(base);
        List<UserAdapter> us = List.of(
                Fixtures.randomUser(UserAdapter.init("a", LoraSpec.ffn(2, 4), base.config(), 3, 1), 0.3, 1),
                Fixtures.randomUser(UserAdapter.init("b", LoraSpec.ffn(2, 4), base.config(), 3, 2), 0.3, 2));
        ModelGraph g = new ModelGraph(base, new GraphSpec(false, null, false, ge, false, false, 0, 0, us, true, false), DataType.DOUBLE, 16);
        Batch b = Batch.of(EX, 16, 0, new int[]{0, 1}, new int[]{0, 1}, new float[][]{EMB.get("a"), EMB.get("b")}, null);
        check(g, b, ModelGraph.LOSS, "users.model.layers.0.mlp.gate_proj.R", "users.model.layers.1.mlp.down_proj.R",
                "users.model.layers.0.mlp.up_proj.A", "users.model.layers.1.mlp.down_proj.B");
    }
}
