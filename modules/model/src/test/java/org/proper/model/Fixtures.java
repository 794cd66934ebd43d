package org.proper.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.graph.GraphSpec;
import org.proper.model.kernel.JavaKernels;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ByteTokenizer;
import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;
import org.proper.model.train.LoraTrainer;
import org.proper.model.train.TrainOptions;
import org.proper.model.train.TrainResult;

/** Small deterministic models, adapters and data sets for tests. */
public final class Fixtures {
    public static final ByteTokenizer TOK = new ByteTokenizer();

    private Fixtures() {
    }

    /**
     * A random base whose token embeddings (and head) have std 0.5 instead of 0.02: with tied, frozen embeddings a
     * freshly initialised model cannot express confident predictions (|logit| ≤ ‖h‖·‖e‖ ≈ 0.6), a pretrained one can.
     */
    public static BaseModel base(ModelConfig cfg, long seed) {
        BaseModel b = BaseModel.init(cfg, seed);
        Map<String, Tensor> w = new LinkedHashMap<>(b.weights());
        for (String n : List.of("wte.weight", "model.embed_tokens.weight", "lm_head.weight")) {
            Tensor t = w.get(n);
            if (t == null) continue;
            Tensor s = t.copy();
            float[] d = s.data();
            for (int i = 0; i < d.length; i++) d[i] *= 25f;
            w.put(n, s);
        }
        return new BaseModel(cfg, w);
    }

    /** User u's examples: "<topic> i:" → a user-specific answer word, so personalization is learnable. */
    public static List<Example> userExamples(String userId, String answer, int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        String[] topics = {"arrow", "kafka", "spark", "flink", "hive", "beam"};
        for (int i = 0; i < n; i++)
            out.add(Example.of(TOK, userId, topics[r.nextInt(topics.length)] + " " + i % 7 + ":", answer));
        return out;
    }

    /** A copy of the adapter with every factor drawn uniformly in ±scale (so B ≠ 0). */
    public static LoraAdapter randomize(LoraAdapter a, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> na = new LinkedHashMap<>(), nb = new LinkedHashMap<>();
        for (TargetModule m : a.modules()) {
            na.put(m.name(), rand(a.a(m.name()).shape(), scale, r));
            nb.put(m.name(), rand(a.b(m.name()).shape(), scale, r));
        }
        return a.withFactors(na, nb);
    }

    public static Tensor rand(long[] shape, double scale, SplittableRandom r) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return t;
    }

    public static GroupExperts randomExperts(GroupExperts g, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<LoraAdapter> ex = new ArrayList<>();
        for (int k = 0; k < g.k(); k++) ex.add(randomize(g.experts().get(k), scale, seed + k + 1));
        Map<String, Tensor> v = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : g.routerV().entrySet()) v.put(e.getKey(), rand(e.getValue().shape(), scale, r));
        return g.with(ex, g.centroids(), v);
    }

    public static UserAdapter randomUser(UserAdapter u, double scale, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> rr = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : u.routerR().entrySet()) rr.put(e.getKey(), rand(e.getValue().shape(), scale, r));
        return new UserAdapter(u.userId(), randomize(u.lora(), scale, seed + 99), rr);
    }

    public static float[][] centroids() {
        return new float[][]{{1f, 0f, 0f}, {0f, 1f, 0f}, {0f, 0f, 1f}};
    }

    public static float[] emb(int group, double jitter) {
        float[] e = centroids()[group].clone();
        for (int i = 0; i < e.length; i++) e[i] += (float) (jitter * (i + 1));
        return e;
    }

    public static double maxAbsDiff(float[][] a, float[][] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) m = Math.max(m, Math.abs(a[i][j] - b[i][j]));
        return m;
    }

    public static double maxAbsDiff(LoraAdapter a, LoraAdapter b) {
        double m = 0;
        for (TargetModule t : a.modules()) {
            m = Math.max(m, a.a(t.name()).maxAbsDiff(b.a(t.name())));
            m = Math.max(m, a.b(t.name()).maxAbsDiff(b.b(t.name())));
        }
        return m;
    }

    /** A user-stage graph spec: two users' LoRAs (r = 2, FFN) with the LoRA-aware router over three random frozen experts. */
    public static GraphSpec twoUsersSpec(BaseModel base) {
        GroupExperts ge = randomExperts(GroupExperts.init(LoraSpec.ffn(2, 4), base.config(), centroids(), 0.5, 3), 0.3, 4);
        List<UserAdapter> us = List.of(UserAdapter.init("a", LoraSpec.ffn(2, 4), base.config(), ge.k(), 1),
                UserAdapter.init("b", LoraSpec.ffn(2, 4), base.config(), ge.k(), 2));
        return new GraphSpec(false, null, false, ge, false, false, 0, 0, us, true, false);
    }

    /** A [rows, cols] double matrix of uniform values in ±1, drawn from the seed (for graph-rewrite tests). */
    public static INDArray seeded(long seed, int rows, int cols) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1);
        return Nd4j.create(v, new long[]{rows, cols}, 'c');
    }

    /**
     * {@code run} with the model core's boolean switch {@code property} (read when a graph is built) set to false, on
     * fresh graphs: the thread's cached graphs are dropped before and after.
     */
    public static <T> T withSwitchOff(String property, Supplier<T> run) {
        LoraTrainer.releaseGraphs();
        System.setProperty(property, "false");
        try {
            return run.get();
        } finally {
            System.clearProperty(property);
            LoraTrainer.releaseGraphs();
        }
    }

    /**
     * LoRA training of {@code spec} from a fresh adapter with the Java ops ({@link JavaKernels}) ends where training
     * with them switched off ends: final loss within {@code lossTol}, adapters within 1e-4, and the adapter moved.
     */
    public static void assertJavaOpsTrainAsNd4jOps(BaseModel base, LoraSpec spec, List<Example> ex, TrainOptions o, double lossTol) {
        String what = base.config().family().toString();
        LoraTrainer.releaseGraphs();
        LoraAdapter start = LoraAdapter.init(spec, base, 5);
        TrainResult<LoraAdapter> java = LoraTrainer.train(base, start, ex, o);
        TrainResult<LoraAdapter> nd4j = withSwitchOff(JavaKernels.SWITCH, () -> LoraTrainer.train(base, start, ex, o));
        assertEquals(nd4j.lastLoss(), java.lastLoss(), lossTol, what + " final loss");
        double diff = maxAbsDiff(java.params(), nd4j.params());
        assertTrue(diff <= 1e-4, what + " adapters differ by " + diff);
        assertTrue(maxAbsDiff(java.params(), start) > 1e-3, "training moved the adapter");
    }
}
