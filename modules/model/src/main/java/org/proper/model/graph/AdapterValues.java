package org.proper.model.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.proper.model.lm.BaseModel;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.lm.Tensors;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.UserAdapter;

/**
 * Parameter values in and out of a built graph: a spec's adapters loaded into a cached graph of the same structure,
 * trained adapters, experts, users and base read back, a user written into its stacked slot.
 */
final class AdapterValues {
    private final SameDiff sd;
    private final DataType dt;

    AdapterValues(SameDiff sd, DataType dt) {
        this.sd = sd;
        this.dt = dt;
    }

    INDArray arr(String name) {
        return sd.getArrForVarName(name);
    }

    void set(String name, INDArray value) {
        sd.getArrForVarName(name).assign(value);
    }

    /** Reloads every adapter value (trainable or not) from a spec of the same structure (see {@link GraphCache}). */
    void load(GraphSpec s) {
        if (s.shared() != null) for (TargetModule m : s.shared().modules()) {
            set("lora." + m.name() + ".A", s.shared().a(m.name()).toNd(dt));
            set("lora." + m.name() + ".B", s.shared().b(m.name()).toNd(dt));
        }
        GroupExperts g = s.experts();
        if (g != null) {
            for (TargetModule m : g.modules()) {
                set("experts." + m.name() + ".A", AdapterWiring.expertFactor(g, m.name(), true, s.trainExperts(), dt));
                set("experts." + m.name() + ".B", AdapterWiring.expertFactor(g, m.name(), false, s.trainExperts(), dt));
                if (!s.hardRouting()) set("router." + m.name() + ".v", g.routerV().get(m.name()).toNd(dt));
            }
            if (!s.hardRouting()) set("router.centroids", g.centroids().toNd(dt));
        }
        if (s.users() != null) for (int u = 0; u < s.users().size(); u++) writeUser(s, u, s.users().get(u));
    }

    LoraAdapter readShared(GraphSpec spec) {
        LoraAdapter sh = spec.shared();
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        for (TargetModule m : sh.modules()) {
            a.put(m.name(), Tensor.of(arr("lora." + m.name() + ".A")));
            b.put(m.name(), Tensor.of(arr("lora." + m.name() + ".B")));
        }
        return sh.withFactors(a, b);
    }

    GroupExperts readExperts(GraphSpec spec) {
        GroupExperts g = spec.experts();
        List<LoraAdapter> ex = new ArrayList<>();
        for (int k = 0; k < g.k(); k++) {
            Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
            for (TargetModule m : g.modules()) {
                a.put(m.name(), Tensor.of(arr("experts." + m.name() + ".A").slice(k)));
                b.put(m.name(), Tensor.of(arr("experts." + m.name() + ".B").slice(k)));
            }
            ex.add(g.experts().get(k).withFactors(a, b));
        }
        Map<String, Tensor> v = new LinkedHashMap<>();
        Tensor cen = g.centroids();
        if (!spec.hardRouting()) {
            for (TargetModule m : g.modules()) v.put(m.name(), Tensor.of(arr("router." + m.name() + ".v")));
            cen = Tensor.of(arr("router.centroids"));
        } else {
            v.putAll(g.routerV());
        }
        return g.with(ex, cen, v);
    }

    UserAdapter readUser(GraphSpec spec, int u, UserAdapter template) {
        boolean router = AdapterWiring.usesLoraAwareRouter(spec);
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>(), r = new LinkedHashMap<>();
        for (TargetModule m : template.lora().modules()) {
            a.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".A"), u));
            b.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".B"), u));
            if (router) r.put(m.name(), Tensors.readSlot(arr("users." + m.name() + ".R"), u));
        }
        return new UserAdapter(template.userId(), template.lora().withFactors(a, b), r);
    }

    /** Writes a user's adapter into stacked slot u (reusing one graph for many users). */
    void writeUser(GraphSpec spec, int u, UserAdapter ua) {
        boolean router = AdapterWiring.usesLoraAwareRouter(spec);
        for (TargetModule m : ua.lora().modules()) {
            Tensors.writeSlot(arr("users." + m.name() + ".A"), u, ua.lora().a(m.name()));
            Tensors.writeSlot(arr("users." + m.name() + ".B"), u, ua.lora().b(m.name()));
            if (router) Tensors.writeSlot(arr("users." + m.name() + ".R"), u, ua.routerR().get(m.name()));
        }
    }

    /** The template's weights, those the graph holds as variables (pretraining) read from it. */
    BaseModel readBase(BaseModel template) {
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (String n : template.weights().keySet()) {
            if (sd.hasVariable(n)) w.put(n, Tensor.of(arr(n)));
            else w.put(n, template.weight(n));
        }
        return new BaseModel(template.config(), w);
    }
}
