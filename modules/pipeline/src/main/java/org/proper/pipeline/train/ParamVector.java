package org.proper.pipeline.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;

/**
 * Trainable parameters flattened to named arrays, with a weight, so that local-SGD results from many partitions can be
 * summed by {@code treeAggregate} and divided once (synchronous parameter averaging, DESIGN §4).
 *
 * <p>Sums are kept in 64-bit fixed point (2^-24 resolution): integer addition is associative, so the average does not
 * depend on the order in which Spark combines partitions, and a re-run gives bit-identical parameters.
 */
public final class ParamVector implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final double SCALE = 1 << 24;

    private final LinkedHashMap<String, long[]> values;
    private long weight;

    private ParamVector(LinkedHashMap<String, long[]> values, long weight) {
        this.values = values;
        this.weight = weight;
    }

    /** The neutral element of {@link #plus}. */
    public static ParamVector zero() {
        return new ParamVector(new LinkedHashMap<>(), 0);
    }

    public long weight() {
        return weight;
    }

    /** In-place weighted sum (a is this, b is other); both must have the same names and sizes unless one is zero. */
    public ParamVector plus(ParamVector other) {
        if (other.weight == 0) return this;
        if (weight == 0) {
            for (Map.Entry<String, long[]> e : other.values.entrySet()) values.put(e.getKey(), e.getValue().clone());
            weight = other.weight;
            return this;
        }
        if (!values.keySet().equals(other.values.keySet())) {
            throw new IllegalArgumentException("Cannot add parameter vectors with different names: " + values.keySet()
                    + " vs " + other.values.keySet());
        }
        for (Map.Entry<String, long[]> e : values.entrySet()) {
            long[] a = e.getValue(), b = other.values.get(e.getKey());
            if (a.length != b.length) throw new IllegalArgumentException("Cannot add " + e.getKey() + ": sizes differ");
            for (int i = 0; i < a.length; i++) a[i] += b[i];
        }
        weight += other.weight;
        return this;
    }

    /** The weighted mean: sum / total weight. */
    public ParamVector mean() {
        if (weight <= 0) throw new IllegalStateException("Cannot average: no partition contributed any example");
        LinkedHashMap<String, long[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : values.entrySet()) {
            long[] a = e.getValue().clone();
            for (int i = 0; i < a.length; i++) a[i] = Math.round(a[i] / (double) weight);
            out.put(e.getKey(), a);
        }
        return new ParamVector(out, 1);
    }

    // ---- LoRA adapters ------------------------------------------------------------------------------------------

    /** Values scaled by weight (so that the sum of several divided by the total weight is their weighted mean). */
    public static ParamVector of(LoraAdapter a, long weight) {
        LinkedHashMap<String, long[]> v = new LinkedHashMap<>();
        putLora(v, "", a, weight);
        return new ParamVector(v, weight);
    }

    public LoraAdapter toLora(LoraAdapter template) {
        return readLora("", template);
    }

    // ---- group experts + router ---------------------------------------------------------------------------------

    public static ParamVector of(GroupExperts g, long weight) {
        LinkedHashMap<String, long[]> v = new LinkedHashMap<>();
        for (int k = 0; k < g.k(); k++) putLora(v, "expert" + k + ".", g.experts().get(k), weight);
        v.put("router.centroids", scaled(g.centroids().data(), weight));
        for (Map.Entry<String, Tensor> e : g.routerV().entrySet()) v.put("router.v." + e.getKey(), scaled(e.getValue().data(), weight));
        return new ParamVector(v, weight);
    }

    public GroupExperts toGroup(GroupExperts template) {
        List<LoraAdapter> experts = new ArrayList<>();
        for (int k = 0; k < template.k(); k++) experts.add(readLora("expert" + k + ".", template.experts().get(k)));
        Tensor centroids = new Tensor(template.centroids().shape(), get("router.centroids"));
        Map<String, Tensor> v = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : template.routerV().entrySet()) {
            v.put(e.getKey(), new Tensor(e.getValue().shape(), get("router.v." + e.getKey())));
        }
        return template.with(experts, centroids, v);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private static void putLora(Map<String, long[]> v, String prefix, LoraAdapter a, long weight) {
        for (TargetModule m : a.modules()) {
            v.put(prefix + m.name() + ".A", scaled(a.a(m.name()).data(), weight));
            v.put(prefix + m.name() + ".B", scaled(a.b(m.name()).data(), weight));
        }
    }

    private LoraAdapter readLora(String prefix, LoraAdapter template) {
        Map<String, Tensor> na = new LinkedHashMap<>(), nb = new LinkedHashMap<>();
        for (TargetModule m : template.modules()) {
            na.put(m.name(), new Tensor(template.a(m.name()).shape(), get(prefix + m.name() + ".A")));
            nb.put(m.name(), new Tensor(template.b(m.name()).shape(), get(prefix + m.name() + ".B")));
        }
        return template.withFactors(na, nb);
    }

    private float[] get(String name) {
        long[] f = values.get(name);
        if (f == null) throw new IllegalArgumentException("Cannot rebuild parameters: " + name + " is missing");
        if (weight != 1) throw new IllegalStateException("Cannot rebuild parameters from an un-averaged sum; call mean()");
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) out[i] = (float) (f[i] / SCALE);
        return out;
    }

    private static long[] scaled(float[] x, long w) {
        long[] out = new long[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i] * SCALE * w;
            if (!(Math.abs(v) < 9.0e18)) {
                throw new IllegalArgumentException("Cannot average parameters: value " + x[i] + " x weight " + w + " overflows the fixed-point sum");
            }
            out[i] = Math.round(v);
        }
        return out;
    }
}
