package org.proper.model.graph;

import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.proper.model.kernel.ThreadArrays;
import org.proper.model.lm.BaseModel;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;

/**
 * Per-thread cache of training graphs, so that repeated calls (local-SGD rounds, one task's groups or user batches)
 * skip graph construction and gradient-function creation (seconds each). A graph is reused only for the same base
 * model object, the same adapter structure (modules, ranks, K, U, scalings, τ, λ, switches), precision and length;
 * every adapter value is reloaded from the spec. Graphs that train the base are never cached.
 */
public final class GraphCache {
    private static final int MAX_PER_THREAD = Integer.getInteger("proper.graphCacheSize", 4);

    private record Key(BaseModel base, String structure, DataType dt, int seqLen, int window, boolean frozenPrefix) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.base == base && k.structure.equals(structure) && k.dt == dt && k.seqLen == seqLen
                    && k.window() == window && k.frozenPrefix() == frozenPrefix;
        }

        @Override
        public int hashCode() {
            return ((((System.identityHashCode(base) * 31 + structure.hashCode()) * 31 + dt.hashCode()) * 31 + seqLen) * 31 + window) * 2
                    + (frozenPrefix ? 1 : 0);
        }
    }

    private static final ThreadLocal<Map<Key, ModelGraph>> CACHE = ThreadLocal.withInitial(() ->
            new LinkedHashMap<>(8, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Key, ModelGraph> e) {
                    if (size() <= MAX_PER_THREAD) return false;
                    e.getValue().releaseArrays();
                    return true;
                }
            });

    private GraphCache() {
    }

    /** A graph whose every layer covers every position (for hidden states). */
    public static ModelGraph get(BaseModel base, GraphSpec spec, DataType dt, int seqLen) {
        return get(base, spec, dt, seqLen, seqLen);
    }

    /** A graph whose top layer covers {@code window} positions per row (see {@link ModelGraph}). */
    public static ModelGraph get(BaseModel base, GraphSpec spec, DataType dt, int seqLen, int window) {
        return get(base, spec, dt, seqLen, window, false);
    }

    /** The same, taking layer 0's frozen outputs as inputs when {@code frozenPrefix} ({@link FrozenPrefix}). */
    public static ModelGraph get(BaseModel base, GraphSpec spec, DataType dt, int seqLen, int window, boolean frozenPrefix) {
        if (spec.trainBase() || MAX_PER_THREAD <= 0) return new ModelGraph(base, spec, dt, seqLen, window, frozenPrefix);
        Key k = new Key(base, structure(spec), dt, seqLen, window, frozenPrefix);
        Map<Key, ModelGraph> m = CACHE.get();
        ModelGraph g = m.get(k);
        if (g == null) {
            g = new ModelGraph(base, spec, dt, seqLen, window, frozenPrefix);
            m.put(k, g);
        } else {
            g.load(spec);
        }
        return g;
    }

    /** This thread's cached graphs, least recently used first ({@link org.proper.model.bench.OpProfile}). */
    public static java.util.List<ModelGraph> graphsOfThisThread() {
        return java.util.List.copyOf(CACHE.get().values());
    }

    /** Drops this thread's cached graphs (e.g. at the end of a Spark task). */
    public static void clear() {
        releaseArrays();
        CACHE.remove();
    }

    /** Frees the reusable step arrays of this thread's cached graphs and its {@link ThreadArrays}; the graphs stay cached. */
    public static void releaseArrays() {
        CACHE.get().values().forEach(ModelGraph::releaseArrays);
        ThreadArrays.release();
    }

    static String structure(GraphSpec s) {
        StringBuilder b = new StringBuilder();
        if (s.shared() != null) b.append("shared").append(s.shared().spec()).append(s.trainShared());
        if (s.experts() != null) {
            GroupExperts g = s.experts();
            b.append("|experts k=").append(g.k()).append(g.spec()).append(" e=").append(g.embeddingDim()).append(" tau=").append(g.tau())
                    .append(s.trainExperts()).append(s.hardRouting()).append(s.lambdaDiv()).append(',').append(s.lambdaBal());
        }
        if (s.users() != null) {
            UserAdapter u = s.users().get(0);
            b.append("|users U=").append(s.users().size()).append(u.lora().spec()).append(u.hasRouter()).append(s.trainUsers()).append(s.fixedBeta());
        }
        return b.toString();
    }
}
