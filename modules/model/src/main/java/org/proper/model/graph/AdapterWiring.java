package org.proper.model.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.proper.model.kernel.BatchedMatmul;
import org.proper.model.lm.AdapterHook;
import org.proper.model.lm.GraphBuilder;
import org.proper.model.lm.LogSoftmax;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraMath;
import org.proper.model.method.UserAdapter;

/**
 * The adapters and routers of a {@link GraphSpec} in the graph (DESIGN §2): their parameters (the shared LoRA
 * {@code lora.*}, the experts {@code experts.*} and the user-aware router {@code router.*}, the stacked users
 * {@code users.*}), the routers' inputs (user embeddings, or each row's cluster under hard routing), and at every
 * target module, called by the blocks ({@link AdapterHook}), y + ΔW_shared x + Σ_k gate_k ΔW_k x + ΔW_u x with the
 * group stage's diversity and balance terms.
 */
final class AdapterWiring implements AdapterHook {
    private final GraphBuilder gb;
    private final SameDiff sd;
    private final GraphSpec spec;
    private final DataType dt;
    private final SDVariable keyMask;
    private SDVariable userEmb, hardGate, dist;
    private final List<SDVariable> balanceTerms = new ArrayList<>();
    private final List<SDVariable> diversityTerms = new ArrayList<>();
    private final Map<String, TargetModule> sharedMods = new HashMap<>(), expertMods = new HashMap<>(), userMods = new HashMap<>();

    AdapterWiring(GraphBuilder gb, GraphSpec spec, SDVariable keyMask) {
        this.gb = gb;
        this.sd = gb.sd();
        this.spec = spec;
        this.dt = gb.dataType();
        this.keyMask = keyMask;
        if (spec.shared() != null) for (TargetModule m : spec.shared().modules()) sharedMods.put(m.name(), m);
        if (spec.experts() != null) for (TargetModule m : spec.experts().modules()) expertMods.put(m.name(), m);
        if (spec.users() != null) for (TargetModule m : spec.users().get(0).lora().modules()) userMods.put(m.name(), m);
    }

    /** The adapters' and routers' parameters and the routers' placeholders (before the blocks that use them). */
    void buildParams() {
        LoraAdapter sh = spec.shared();
        if (sh != null) for (TargetModule m : sh.modules()) {
            gb.param("lora." + m.name() + ".A", sh.a(m.name()).toNd(dt), spec.trainShared(), false);        // [r,din]
            gb.param("lora." + m.name() + ".B", sh.b(m.name()).toNd(dt), spec.trainShared(), false);        // [dout,r]
        }
        GroupExperts g = spec.experts();
        if (g != null) {
            int k = g.k();
            boolean routerTrain = spec.trainExperts() && !spec.hardRouting();
            for (TargetModule m : g.modules()) {
                gb.param("experts." + m.name() + ".A", expertFactor(g, m.name(), true, spec.trainExperts(), dt), spec.trainExperts(), false);
                gb.param("experts." + m.name() + ".B", expertFactor(g, m.name(), false, spec.trainExperts(), dt), spec.trainExperts(), false);
                if (!spec.hardRouting())
                    gb.param("router." + m.name() + ".v", g.routerV().get(m.name()).toNd(dt), routerTrain, false);   // [K,din]
            }
            if (spec.hardRouting()) {
                hardGate = sd.placeHolder("hardGate", dt, -1, k);                                                // [B,K]
            } else {
                userEmb = sd.placeHolder("userEmb", dt, -1, g.embeddingDim());                                  // [B,E]
                SDVariable cen = gb.param("router.centroids", g.centroids().toNd(dt), routerTrain, false);     // [K,E]
                dist = LoraMath.centroidSqDist(userEmb, cen, k, g.embeddingDim());                              // [B,K]
            }
        }
        List<UserAdapter> us = spec.users();
        if (us != null) {
            for (TargetModule m : us.get(0).lora().modules()) {
                gb.param("users." + m.name() + ".A", stackUsers(us, m.name(), 'A'), spec.trainUsers(), true);  // [U,r,din]
                gb.param("users." + m.name() + ".B", stackUsers(us, m.name(), 'B'), spec.trainUsers(), true);  // [U,dout,r]
                if (usesLoraAwareRouter(spec))
                    gb.param("users." + m.name() + ".R", stackUsers(us, m.name(), 'R'), spec.trainUsers(), true); // [U,K,r]
            }
        }
    }

    /** The graph routes by user embedding (placeholder userEmb). */
    boolean needsUserEmbedding() {
        return userEmb != null;
    }

    /** The graph routes each row to its cluster (placeholder hardGate). */
    boolean needsHardGate() {
        return hardGate != null;
    }

    /** The group stage's diversity terms, one per expert module (empty unless the experts train). */
    List<SDVariable> diversityTerms() {
        return diversityTerms;
    }

    /** The group stage's load-balance terms, one per expert module (empty unless a learned router trains). */
    List<SDVariable> balanceTerms() {
        return balanceTerms;
    }

    /** Users mix the experts by the LoRA-aware router β (not β = g, and not without experts). */
    static boolean usesLoraAwareRouter(GraphSpec spec) {
        return spec.users() != null && spec.experts() != null && !spec.fixedBeta();
    }

    /**
     * The experts' A (a) or B factors of a module as the graph holds them: stacked [K,r,din] / [K,dout,r] when they are
     * trained; when frozen, constants already in mixtureDelta's layout [K·r,din] / [dout,K·r] (LoraMath.catA/catB), so
     * that the frozen-weight rewrite sees constant matmul operands and skips their gradients.
     */
    static INDArray expertFactor(GroupExperts g, String module, boolean a, boolean trainExperts, DataType dt) {
        INDArray st = stack(g.experts(), module, a, dt);
        return trainExperts ? st : a ? LoraMath.catA(st) : LoraMath.catB(st);
    }

    private static INDArray stack(List<LoraAdapter> ads, String module, boolean a, DataType dt) {
        INDArray[] parts = new INDArray[ads.size()];
        for (int i = 0; i < parts.length; i++) {
            Tensor t = a ? ads.get(i).a(module) : ads.get(i).b(module);
            parts[i] = t.toNd(dt).reshape(1, t.dim(0), t.dim(1));
        }
        return Nd4j.concat(0, parts);
    }

    private INDArray stackUsers(List<UserAdapter> us, String module, char which) {
        INDArray[] parts = new INDArray[us.size()];
        for (int i = 0; i < parts.length; i++) {
            UserAdapter u = us.get(i);
            Tensor t = which == 'A' ? u.lora().a(module) : which == 'B' ? u.lora().b(module) : u.routerR().get(module);
            if (t == null) throw new IllegalArgumentException("Cannot build user graph: user " + u.userId() + " has no router R for " + module);
            parts[i] = t.toNd(dt).reshape(1, t.dim(0), t.dim(1));
        }
        return Nd4j.concat(0, parts);
    }

    /**
     * y + ΔW_shared x + Σ_k gate_k ΔW_k x + ΔW_u x for the adapters that target this module (DESIGN §2); x and y hold
     * t consecutive positions of each example (T, or the top layer's window).
     */
    @Override
    public SDVariable adapt(String module, SDVariable x, SDVariable y, int t) {
        TargetModule sm = sharedMods.get(module);
        if (sm != null)
            y = gb.plus(y, LoraMath.loraDelta(sd, x, sd.getVariable("lora." + module + ".A"), sd.getVariable("lora." + module + ".B"),
                    spec.shared().scaling()));
        TargetModule um = userMods.get(module);
        SDVariable xa = null, userDelta = null;
        int nu = spec.users() == null ? 0 : spec.users().size();
        if (um != null) {
            // rows are grouped by user, the same number per user: segment u of the batch uses user u's factors
            SDVariable aU = sd.getVariable("users." + module + ".A");                                      // [U,r,din]
            SDVariable bU = sd.getVariable("users." + module + ".B");                                      // [U,dout,r]
            xa = LoraMath.userProjection(sd, x.reshape(nu, -1, um.dIn()), aU, BatchedMatmul::mmul);        // [U,S,r] S=rows/U·T
            userDelta = LoraMath.userDelta(sd, xa, bU, spec.users().get(0).lora().scaling(), BatchedMatmul::mmul)
                    .reshape(-1, um.dOut());                                                               // [N,dout]
        }
        TargetModule em = expertMods.get(module);
        if (em != null) {
            GroupExperts g = spec.experts();
            int k = g.k();
            SDVariable logits3, gate3;                                                                     // [B,T,K]
            if (spec.hardRouting()) {
                gate3 = hardGate.reshape(-1, 1, k).mul(sd.constant(Nd4j.ones(dt, 1, t, 1)));               // [B,T,K] one-hot
                logits3 = gate3.sub(1.0).mul(30.0);                                                        // log g ≈ 0 / −30
            } else {
                logits3 = LoraMath.routerLogits(sd, dist, x, sd.getVariable("router." + module + ".v"), t, k, g.tau());
                gate3 = sd.nn.softmax(logits3, 2);                                                         // g(u,x)
            }
            if (spec.trainExperts() && !spec.hardRouting())
                balanceTerms.add(LoraMath.balance(gate3.reshape(-1, k), keyMask.reshape(-1), k));
            if (spec.trainExperts())
                diversityTerms.add(LoraMath.diversity(sd, sd.getVariable("experts." + module + ".A"),
                        sd.getVariable("experts." + module + ".B"), k, g.spec().rank(), em.dIn(), em.dOut(), dt));
            SDVariable mix = gate3;
            if (xa != null && usesLoraAwareRouter(spec)) {
                SDVariable rU = sd.getVariable("users." + module + ".R");                                  // [U,K,r]
                SDVariable logG = spec.hardRouting() ? logits3 : LogSoftmax.logSoftmax(sd, logits3, 2, gb.closedForms()); // [B,T,K]
                mix = LoraMath.loraAwareGate(sd, logG.reshape(nu, -1, k), xa, rU, BatchedMatmul::mmul);    // β(u,x) [U,S,K]
            }
            int r = g.spec().rank();
            SDVariable a = sd.getVariable("experts." + module + ".A"), b = sd.getVariable("experts." + module + ".B");
            if (spec.trainExperts()) {                                                                     // else already so
                a = LoraMath.catA(a, k, r, em.dIn());
                b = LoraMath.catB(b, k, r, em.dOut());
            }
            y = gb.plus(y, LoraMath.mixtureDelta(sd, x, a, b, mix.reshape(-1, k), k, r, g.spec().scaling()));
        }
        if (userDelta != null) y = gb.plus(y, userDelta);
        return y;
    }
}
