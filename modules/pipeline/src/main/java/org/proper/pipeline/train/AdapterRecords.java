package org.proper.pipeline.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.LoraSpec;
import org.proper.model.method.UserAdapter;
import org.proper.pipeline.io.TensorRecord;

/**
 * Converts the model's adapters to rows of the adapters table (DESIGN §5) and back. Naming: population and user
 * LoRAs as (module, A|B); group experts owned by their group id; the router owned by "router" with
 * (router, centroids) and (module, v); the LoRA-aware router of a user as (module, R).
 */
public final class AdapterRecords {
    public static final String POPULATION = "population";
    public static final String GROUP = "group";
    public static final String ROUTER = "router";
    public static final String USER = "user";

    private AdapterRecords() {}

    public static List<TensorRecord> ofPopulation(LoraAdapter a) {
        return lora(POPULATION, POPULATION, a);
    }

    public static List<TensorRecord> ofGroups(GroupExperts g) {
        List<TensorRecord> out = new ArrayList<>();
        for (int k = 0; k < g.k(); k++) out.addAll(lora(GROUP, Integer.toString(k), g.experts().get(k)));
        out.add(record(ROUTER, ROUTER, ROUTER, "centroids", g.centroids()));
        for (Map.Entry<String, Tensor> e : g.routerV().entrySet()) out.add(record(ROUTER, ROUTER, e.getKey(), "v", e.getValue()));
        return out;
    }

    public static List<TensorRecord> ofUser(UserAdapter u) {
        List<TensorRecord> out = new ArrayList<>(lora(USER, u.userId(), u.lora()));
        for (Map.Entry<String, Tensor> e : u.routerR().entrySet()) out.add(record(USER, u.userId(), e.getKey(), "R", e.getValue()));
        return out;
    }

    /** Rebuilds a LoRA from its A/B records (any level); modules come from the model config and spec. */
    public static LoraAdapter toLora(List<TensorRecord> records, LoraSpec spec, ModelConfig config) {
        LoraAdapter template = LoraAdapter.init(spec, config, 0);
        Map<String, Tensor> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
        for (TensorRecord r : records) {
            if (r.tensor().equals("A")) a.put(r.module(), tensor(r));
            else if (r.tensor().equals("B")) b.put(r.module(), tensor(r));
        }
        for (TargetModule m : template.modules()) {
            if (!a.containsKey(m.name()) || !b.containsKey(m.name())) {
                throw new IllegalArgumentException("Cannot rebuild LoRA: module " + m.name() + " has no A/B tensors");
            }
        }
        return template.withFactors(a, b);
    }

    /** Rebuilds group experts from group and router records. */
    public static GroupExperts toGroups(List<TensorRecord> records, LoraSpec spec, ModelConfig config, double tau) {
        Map<Integer, List<TensorRecord>> byGroup = new java.util.TreeMap<>();
        Tensor centroids = null;
        Map<String, Tensor> v = new LinkedHashMap<>();
        for (TensorRecord r : records) {
            if (r.level().equals(GROUP)) byGroup.computeIfAbsent(Integer.parseInt(r.ownerId()), k -> new ArrayList<>()).add(r);
            else if (r.level().equals(ROUTER) && r.tensor().equals("centroids")) centroids = tensor(r);
            else if (r.level().equals(ROUTER) && r.tensor().equals("v")) v.put(r.module(), tensor(r));
        }
        if (centroids == null || byGroup.isEmpty()) throw new IllegalArgumentException("Cannot rebuild group experts: no router centroids or no experts");
        List<LoraAdapter> experts = new ArrayList<>();
        for (List<TensorRecord> rs : byGroup.values()) experts.add(toLora(rs, spec, config));
        return new GroupExperts(experts, centroids, v, tau);
    }

    public static UserAdapter toUser(String userId, List<TensorRecord> records, LoraSpec spec, ModelConfig config) {
        Map<String, Tensor> r = new LinkedHashMap<>();
        for (TensorRecord t : records) if (t.tensor().equals("R")) r.put(t.module(), tensor(t));
        return new UserAdapter(userId, toLora(records, spec, config), r);
    }

    private static List<TensorRecord> lora(String level, String owner, LoraAdapter a) {
        List<TensorRecord> out = new ArrayList<>();
        for (TargetModule m : a.modules()) {
            out.add(record(level, owner, m.name(), "A", a.a(m.name())));
            out.add(record(level, owner, m.name(), "B", a.b(m.name())));
        }
        return out;
    }

    private static TensorRecord record(String level, String owner, String module, String name, Tensor t) {
        long[] s = t.shape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) shape[i] = Math.toIntExact(s[i]);
        return new TensorRecord(level, owner, module, name, shape, t.data().clone());
    }

    private static Tensor tensor(TensorRecord r) {
        long[] shape = new long[r.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = r.shape()[i];
        return new Tensor(shape, r.data().clone());
    }
}
