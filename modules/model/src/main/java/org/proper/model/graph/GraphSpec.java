package org.proper.model.graph;

import java.util.List;

import org.proper.model.method.GroupExperts;
import org.proper.model.method.LoraAdapter;
import org.proper.model.method.UserAdapter;

/**
 * What a {@link ModelGraph} contains besides the base model, and what is trainable.
 *
 * @param shared      a single LoRA added to the base (population stage, expert warm start), or null
 * @param experts     group experts and router, or null
 * @param hardRouting route each row to its nearest centroid (ablation) instead of the user-aware router
 * @param users       stacked per-user adapters [U,…] gathered per row, or null
 * @param fixedBeta   ablation: β = g (no LoRA-aware router; no R_u)
 */
public record GraphSpec(boolean trainBase, LoraAdapter shared, boolean trainShared, GroupExperts experts, boolean trainExperts,
                 boolean hardRouting, double lambdaDiv, double lambdaBal, List<UserAdapter> users, boolean trainUsers,
                 boolean fixedBeta) {

    public static GraphSpec inference(LoraAdapter shared, GroupExperts experts, boolean hard, List<UserAdapter> users, boolean fixedBeta) {
        return new GraphSpec(false, shared, false, experts, false, hard, 0, 0, users, false, fixedBeta);
    }
}
