package org.proper.model.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.proper.model.lm.Example;
import org.proper.model.lm.ModelConfig;
import org.proper.model.method.GroupExperts;

/** Builds {@link Batch}es from examples, with user embeddings / hard clusters when the graph routes. */
public final class Batches {
    public static final int PAD = 0;   // any valid id: padded positions have weight 0 and key mask 0

    private Batches() {
    }

    public static Batch of(List<Example> ex, int seqLen, Map<String, float[]> emb, GroupExperts experts) {
        float[][] e = null;
        int[] hard = null;
        if (emb != null) {
            e = new float[ex.size()][];
            hard = experts == null ? null : new int[ex.size()];
            for (int i = 0; i < ex.size(); i++) {
                float[] v = emb.get(ex.get(i).userId());
                if (v == null) throw new IllegalArgumentException("Cannot route example: no embedding for user " + ex.get(i).userId());
                e[i] = v;
                if (hard != null) hard[i] = experts.nearest(v);
            }
        }
        return Batch.of(ex, seqLen, PAD, null, null, e, hard);
    }

    public static List<Batch> chunks(List<Example> ex, int size, int seqLen, Map<String, float[]> emb, GroupExperts experts) {
        List<Batch> out = new ArrayList<>();
        if (ex == null) return out;
        for (int i = 0; i < ex.size(); i += size) out.add(of(ex.subList(i, Math.min(ex.size(), i + size)), seqLen, emb, experts));
        return out;
    }

    public static int seqLen(ModelConfig c, List<Example> a, List<Example> b) {
        return Batch.seqLenFor(both(a, b), c.maxSeqLen());
    }

    /** The top layer's rows per example for batches of these examples at seqLen ({@link Batch#windowFor}). */
    public static int window(int seqLen, List<Example> a, List<Example> b) {
        return Batch.windowFor(both(a, b), seqLen);
    }

    private static List<Example> both(List<Example> a, List<Example> b) {
        List<Example> all = new ArrayList<>(a);
        if (b != null) all.addAll(b);
        return all;
    }
}
