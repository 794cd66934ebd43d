package org.proper.model.method;

import java.io.Serializable;

/**
 * Group-level loss weights and ablation switches (DESIGN §2).
 *
 * @param lambdaDiv   weight of Σ_{i<j} cos²(ΔW_i, ΔW_j); 0 = the "no diversity loss" ablation
 * @param lambdaBal   weight of CV²(mean routing weights)
 * @param hardRouting ablation: one-hot routing to the nearest centroid instead of the user-aware router
 */
public record GroupOptions(double lambdaDiv, double lambdaBal, boolean hardRouting) implements Serializable {
    public GroupOptions {
        if (!(lambdaDiv >= 0)) throw new IllegalArgumentException("Cannot train group experts: lambdaDiv must be >= 0, got " + lambdaDiv);
        if (!(lambdaBal >= 0)) throw new IllegalArgumentException("Cannot train group experts: lambdaBal must be >= 0, got " + lambdaBal);
    }

    public static GroupOptions defaults() {
        return new GroupOptions(0.1, 0.01, false);
    }
}
