package org.proper.model.infer;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.proper.model.graph.GraphSpec;
import org.proper.model.graph.ModelGraph;
import org.proper.model.lm.BaseModel;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;

/**
 * What serves a user: the (population-merged) base [+ group experts and router] [+ the user's adapter], DESIGN §2:
 * y = W'x + Σ_k β_k(u,x) ΔW_k x + ΔW_u x (β = g without a user router; no experts = OPPU / population only).
 * Serializable; graphs are built lazily per thread and sequence length and are not serialized.
 */
public final class Composition implements Serializable {
    private static final long serialVersionUID = 1L;
    private final BaseModel base;
    private final GroupExperts experts;
    private final UserAdapter user;
    private final boolean hardRouting;
    private transient Map<String, ModelGraph> graphs;

    public Composition(BaseModel base, GroupExperts experts, UserAdapter user, boolean hardRouting) {
        if (base == null) throw new IllegalArgumentException("Cannot compose: base model is null");
        if (user != null && user.hasRouter() && experts == null)
            throw new IllegalArgumentException("Cannot compose: user " + user.userId() + " has a LoRA-aware router but no experts are given");
        if (user != null && user.hasRouter() && user.routerR().values().iterator().next().dim(0) != experts.k())
            throw new IllegalArgumentException("Cannot compose: user " + user.userId() + "'s router has a different K than the experts (" + experts.k() + ")");
        this.base = base;
        this.experts = experts;
        this.user = user;
        this.hardRouting = hardRouting;
    }

    public static Composition of(BaseModel base) {
        return new Composition(base, null, null, false);
    }

    public static Composition of(BaseModel base, GroupExperts experts) {
        return new Composition(base, experts, null, false);
    }

    public static Composition of(BaseModel base, GroupExperts experts, UserAdapter user) {
        return new Composition(base, experts, user, false);
    }

    public BaseModel base() {
        return base;
    }

    public GroupExperts experts() {
        return experts;
    }

    public UserAdapter user() {
        return user;
    }

    public boolean hardRouting() {
        return hardRouting;
    }

    public boolean needsEmbedding() {
        return experts != null;
    }

    /** This thread's inference graph at seqLen whose top layer covers {@code window} positions per row (ModelGraph). */
    ModelGraph graph(int seqLen, int window) {
        synchronized (this) {
            if (graphs == null) graphs = new ConcurrentHashMap<>();
        }
        String key = Thread.currentThread().getId() + ":" + seqLen + ":" + window;
        return graphs.computeIfAbsent(key, k -> new ModelGraph(base,
                GraphSpec.inference(null, experts, hardRouting, user == null ? null : List.of(user), user != null && !user.hasRouter()),
                org.nd4j.linalg.api.buffer.DataType.FLOAT, seqLen, window));
    }

    /** Drops this thread's cached graphs (e.g. at the end of a Spark task). */
    public void release() {
        if (graphs == null) return;
        String prefix = Thread.currentThread().getId() + ":";
        graphs.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
