package org.proper.model.method;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.lm.Tensors;

/**
 * Group level of DESIGN §2: K LoRA experts and the user-aware router's parameters:
 * centroids c [K, e] (initialised from k-means), per target module v [K, dIn] (initialised to 0), temperature τ.
 */
public final class GroupExperts implements Serializable {
    private static final long serialVersionUID = 1L;
    private final List<LoraAdapter> experts;
    private final Tensor centroids;
    private final LinkedHashMap<String, Tensor> routerV;
    private final double tau;

    public GroupExperts(List<LoraAdapter> experts, Tensor centroids, Map<String, Tensor> routerV, double tau) {
        if (experts == null || experts.isEmpty()) throw new IllegalArgumentException("Cannot build group experts: no experts");
        if (!(tau > 0)) throw new IllegalArgumentException("Cannot build group experts: tau must be > 0, got " + tau);
        LoraAdapter first = experts.get(0);
        for (LoraAdapter e : experts)
            if (!e.spec().equals(first.spec()) || !e.modules().equals(first.modules()))
                throw new IllegalArgumentException("Cannot build group experts: experts must share one LoRA spec and module list");
        int k = experts.size();
        if (centroids.rank() != 2 || centroids.dim(0) != k)
            throw new IllegalArgumentException("Cannot build group experts: centroids shape " + centroids + " must be [" + k + ", e]");
        this.experts = List.copyOf(experts);
        this.centroids = centroids;
        this.routerV = new LinkedHashMap<>();
        for (TargetModule m : first.modules()) {
            Tensor v = routerV.get(m.name());
            if (v == null) v = Tensor.zeros(k, m.dIn());
            if (v.rank() != 2 || v.dim(0) != k || v.dim(1) != m.dIn())
                throw new IllegalArgumentException("Cannot build group experts: router v of " + m.name() + " has shape " + v + ", expected [" + k + ", " + m.dIn() + "]");
            this.routerV.put(m.name(), v);
        }
        this.tau = tau;
    }

    /** Fresh experts (expert k seeded with seed + k), v = 0, centroids from clustering ([K][e]). */
    public static GroupExperts init(LoraSpec spec, ModelConfig config, float[][] centroids, double tau, long seed) {
        List<LoraAdapter> ex = new ArrayList<>();
        for (int k = 0; k < centroids.length; k++) ex.add(LoraAdapter.init(spec, config, seed + 7919L * (k + 1)));
        return new GroupExperts(ex, centroidTensor(centroids), Map.of(), tau);
    }

    /** Assemble warm-started experts (one per cluster, in centroid order) with v = 0. */
    public static GroupExperts of(List<LoraAdapter> experts, float[][] centroids, double tau) {
        return new GroupExperts(experts, centroidTensor(centroids), Map.of(), tau);
    }

    static Tensor centroidTensor(float[][] c) {
        if (c == null || c.length == 0) throw new IllegalArgumentException("Cannot build group experts: no centroids");
        int e = c[0].length;
        float[] d = new float[c.length * e];
        for (int k = 0; k < c.length; k++) {
            if (c[k].length != e) throw new IllegalArgumentException("Cannot build group experts: centroid " + k + " has dimension " + c[k].length + ", expected " + e);
            System.arraycopy(c[k], 0, d, k * e, e);
        }
        return new Tensor(new long[]{c.length, e}, d);
    }

    public int k() {
        return experts.size();
    }

    public int embeddingDim() {
        return (int) centroids.dim(1);
    }

    public List<LoraAdapter> experts() {
        return experts;
    }

    public LoraSpec spec() {
        return experts.get(0).spec();
    }

    public List<TargetModule> modules() {
        return experts.get(0).modules();
    }

    public Tensor centroids() {
        return centroids;
    }

    public Map<String, Tensor> routerV() {
        return Collections.unmodifiableMap(routerV);
    }

    public double tau() {
        return tau;
    }

    public GroupExperts with(List<LoraAdapter> newExperts, Tensor newCentroids, Map<String, Tensor> newV) {
        return new GroupExperts(newExperts, newCentroids, newV, tau);
    }

    /** Hard cluster: index of the nearest centroid to e (the hard-routing ablation). */
    public int nearest(float[] e) {
        int best = 0;
        double bd = Double.MAX_VALUE;
        float[] c = centroids.data();
        int dim = embeddingDim();
        if (e.length != dim) throw new IllegalArgumentException("Cannot route user: embedding dimension " + e.length + ", centroids have " + dim);
        for (int k = 0; k < k(); k++) {
            double s = 0;
            for (int i = 0; i < dim; i++) {
                double d = e[i] - c[k * dim + i];
                s += d * d;
            }
            if (s < bd) {
                bd = s;
                best = k;
            }
        }
        return best;
    }

    /** Element-wise mean (parameter averaging for local SGD). */
    public static GroupExperts average(List<GroupExperts> gs) {
        GroupExperts f = gs.get(0);
        List<LoraAdapter> ex = new ArrayList<>();
        for (int k = 0; k < f.k(); k++) {
            List<LoraAdapter> l = new ArrayList<>();
            for (GroupExperts g : gs) l.add(g.experts.get(k));
            ex.add(LoraAdapter.average(l));
        }
        List<Tensor> cs = new ArrayList<>();
        for (GroupExperts g : gs) cs.add(g.centroids);
        Map<String, Tensor> v = new LinkedHashMap<>();
        for (String m : f.routerV.keySet()) {
            List<Tensor> l = new ArrayList<>();
            for (GroupExperts g : gs) l.add(g.routerV.get(m));
            v.put(m, Tensors.mean(l));
        }
        return new GroupExperts(ex, Tensors.mean(cs), v, f.tau);
    }
}
