package org.proper.model.method;

import java.io.Serializable;

/**
 * User-level LoRA and ablation switches (DESIGN §2).
 *
 * @param lora         the per-user LoRA (small rank r_u)
 * @param fixedBeta    ablation: β = g (no LoRA-aware router, no R_u)
 * @param hardRouting  ablation: experts mixed by the nearest centroid (as trained with hard routing)
 * @param noGroupLevel ablation (OPPU): no experts; user LoRA directly on the population-merged base
 */
public record UserOptions(LoraSpec lora, boolean fixedBeta, boolean hardRouting, boolean noGroupLevel) implements Serializable {
    public UserOptions {
        if (lora == null) throw new IllegalArgumentException("Cannot train users: lora spec is null");
    }

    public static UserOptions defaults() {
        return new UserOptions(LoraSpec.ffn(4, 8), false, false, false);
    }
}
