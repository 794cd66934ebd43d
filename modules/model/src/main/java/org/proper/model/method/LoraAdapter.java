package org.proper.model.method;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.proper.model.lm.Architecture;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.lm.Tensors;

/**
 * One LoRA: for each target module, A [r, dIn] and B [dOut, r]; ΔW = (alpha/r)·B·A (DESIGN §2).
 * Immutable and serializable; trainers return new instances.
 */
public final class LoraAdapter implements Serializable {
    private static final long serialVersionUID = 1L;
    private final LoraSpec spec;
    private final List<TargetModule> modules;
    private final LinkedHashMap<String, Tensor> a;
    private final LinkedHashMap<String, Tensor> b;

    public LoraAdapter(LoraSpec spec, List<TargetModule> modules, Map<String, Tensor> a, Map<String, Tensor> b) {
        this.spec = spec;
        this.modules = List.copyOf(modules);
        this.a = new LinkedHashMap<>();
        this.b = new LinkedHashMap<>();
        for (TargetModule m : modules) {
            Tensor ta = a.get(m.name()), tb = b.get(m.name());
            if (ta == null || tb == null) throw new IllegalArgumentException("Cannot build LoRA: missing A or B for module " + m.name());
            check(m.name() + ".A", ta, spec.rank(), m.dIn());
            check(m.name() + ".B", tb, m.dOut(), spec.rank());
            this.a.put(m.name(), ta);
            this.b.put(m.name(), tb);
        }
    }

    private static void check(String what, Tensor t, long r, long c) {
        if (t.rank() != 2 || t.dim(0) != r || t.dim(1) != c)
            throw new IllegalArgumentException("Cannot build LoRA: " + what + " has shape " + Arrays.toString(t.shape())
                    + ", expected [" + r + ", " + c + "]");
    }

    /** Fresh adapter: A Kaiming-uniform (bound 1/sqrt(dIn), as peft's kaiming_uniform_(a=√5)), B zero. */
    public static LoraAdapter init(LoraSpec spec, ModelConfig config, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<TargetModule> mods = Architecture.targets(config, spec.targets());
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        for (TargetModule m : mods) {
            Tensor ta = Tensor.zeros(spec.rank(), m.dIn());
            double bound = 1.0 / Math.sqrt(m.dIn());
            float[] d = ta.data();
            for (int i = 0; i < d.length; i++) d[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            a.put(m.name(), ta);
            b.put(m.name(), Tensor.zeros(m.dOut(), spec.rank()));
        }
        return new LoraAdapter(spec, mods, a, b);
    }

    public static LoraAdapter init(LoraSpec spec, BaseModel base, long seed) {
        return init(spec, base.config(), seed);
    }

    public LoraSpec spec() {
        return spec;
    }

    public double scaling() {
        return spec.scaling();
    }

    public List<TargetModule> modules() {
        return modules;
    }

    public TargetModule module(String name) {
        for (TargetModule m : modules) if (m.name().equals(name)) return m;
        throw new IllegalArgumentException("Cannot find LoRA module " + name);
    }

    public Tensor a(String module) {
        return a.get(module);
    }

    public Tensor b(String module) {
        return b.get(module);
    }

    public Map<String, Tensor> as() {
        return Collections.unmodifiableMap(a);
    }

    public Map<String, Tensor> bs() {
        return Collections.unmodifiableMap(b);
    }

    /** Same spec and modules, new factors. */
    public LoraAdapter withFactors(Map<String, Tensor> newA, Map<String, Tensor> newB) {
        return new LoraAdapter(spec, modules, newA, newB);
    }

    /** ΔW = scaling·B·A as a row-major [dOut, dIn] double array (the merge formula, DESIGN §2). */
    public double[] deltaWeight(String module) {
        TargetModule m = module(module);
        int r = spec.rank();
        float[] fa = a.get(module).data(), fb = b.get(module).data();
        double[] out = new double[m.dOut() * m.dIn()];
        double s = scaling();
        for (int o = 0; o < m.dOut(); o++)
            for (int k = 0; k < r; k++) {
                double bv = fb[o * r + k] * s;
                if (bv == 0) continue;
                for (int i = 0; i < m.dIn(); i++) out[o * m.dIn() + i] += bv * fa[k * m.dIn() + i];
            }
        return out;
    }

    /**
     * A new base model with W' = W + scaling·B·A for every module of this adapter (DESIGN §2 population merge), the
     * base's other weights unchanged.
     */
    public BaseModel mergeInto(BaseModel base) {
        Map<String, Tensor> w = new LinkedHashMap<>(base.weights());
        for (TargetModule m : modules) {
            Tensor old = w.get(m.weightName());
            Tensor merged = old.copy();
            float[] dst = merged.data();
            double[] delta = deltaWeight(m.name());                          // [dOut, dIn] row-major
            int cols = (int) old.dim(1);
            for (int o = 0; o < m.dOut(); o++) {
                for (int i = 0; i < m.dIn(); i++) {
                    int idx = m.inOutLayout() ? i * cols + m.outOffset() + o   // Conv1D W[dIn, dOut]
                            : (m.outOffset() + o) * cols + i;                 // Linear W[dOut, dIn]
                    dst[idx] = (float) (dst[idx] + delta[o * m.dIn() + i]);
                }
            }
            w.put(m.weightName(), merged);
        }
        return new BaseModel(base.config(), w);
    }

    /** Element-wise mean of adapters with the same spec (parameter averaging for local SGD). */
    public static LoraAdapter average(List<LoraAdapter> adapters) {
        if (adapters.isEmpty()) throw new IllegalArgumentException("Cannot average LoRA adapters: none given");
        LoraAdapter first = adapters.get(0);
        Map<String, Tensor> na = new LinkedHashMap<>(), nb = new LinkedHashMap<>();
        for (TargetModule m : first.modules) {
            List<Tensor> la = new ArrayList<>(), lb = new ArrayList<>();
            for (LoraAdapter x : adapters) {
                la.add(x.a(m.name()));
                lb.add(x.b(m.name()));
            }
            na.put(m.name(), Tensors.mean(la));
            nb.put(m.name(), Tensors.mean(lb));
        }
        return first.withFactors(na, nb);
    }

    public long parameterCount() {
        long n = 0;
        for (TargetModule m : modules) n += a.get(m.name()).size() + b.get(m.name()).size();
        return n;
    }
}
