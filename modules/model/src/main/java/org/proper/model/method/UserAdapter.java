package org.proper.model.method;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.model.lm.ModelConfig;
import org.proper.model.lm.TargetModule;
import org.proper.model.lm.Tensor;

/**
 * User level of DESIGN §2: the user's LoRA ΔW_u (small rank r_u) and, per target module, the LoRA-aware router's
 * R_u [K, r_u] (zero-initialised; empty when there is no group level or β is fixed to g).
 */
public final class UserAdapter implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String userId;
    private final LoraAdapter lora;
    private final LinkedHashMap<String, Tensor> routerR;

    public UserAdapter(String userId, LoraAdapter lora, Map<String, Tensor> routerR) {
        if (userId == null) throw new IllegalArgumentException("Cannot build user adapter: userId is null");
        this.userId = userId;
        this.lora = lora;
        this.routerR = new LinkedHashMap<>(routerR);
        for (Map.Entry<String, Tensor> e : routerR.entrySet()) {
            Tensor r = e.getValue();
            if (r.rank() != 2 || r.dim(1) != lora.spec().rank())
                throw new IllegalArgumentException("Cannot build user adapter for " + userId + ": R of " + e.getKey() + " has shape " + r + ", expected [K, " + lora.spec().rank() + "]");
        }
    }

    /** Fresh user adapter: LoRA init with the given seed, R = 0 [K, r] for each module when k > 0. */
    public static UserAdapter init(String userId, LoraSpec spec, ModelConfig config, int k, long seed) {
        LoraAdapter l = LoraAdapter.init(spec, config, seed);
        Map<String, Tensor> r = new LinkedHashMap<>();
        if (k > 0) for (TargetModule m : l.modules()) r.put(m.name(), Tensor.zeros(k, spec.rank()));
        return new UserAdapter(userId, l, r);
    }

    public String userId() {
        return userId;
    }

    public LoraAdapter lora() {
        return lora;
    }

    public Map<String, Tensor> routerR() {
        return Collections.unmodifiableMap(routerR);
    }

    public boolean hasRouter() {
        return !routerR.isEmpty();
    }
}
