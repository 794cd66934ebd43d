package org.proper.serving;

import java.util.List;
import java.util.Map;

import org.proper.pipeline.io.TensorRecord;

/**
 * What serving needs to compose a user's model (DESIGN §2): the tensors per level — "population", "group", "router"
 * and, for a user trained at user level, "user" — plus the user's soft group assignment and preference embedding.
 *
 * @param userId             the user asked for
 * @param tensors            level → that level's tensors (empty list when the run has none of that level)
 * @param groupProbabilities the user's row of user_groups, or null when the user is not in it
 * @param groupId            the user's hard group, or -1 when the user is not in user_groups
 * @param embedding          the user's row of user_embeddings, or null when the user is not in it (an unknown user:
 *                           the caller embeds the user's text to route it)
 */
public record UserAdapters(String userId, Map<String, List<TensorRecord>> tensors, double[] groupProbabilities,
                           int groupId, float[] embedding) {

    /** True when the run trained a user-level adapter for this user. */
    public boolean hasUserAdapter() {
        return !tensors.getOrDefault("user", List.of()).isEmpty();
    }

    /** True when the user is in the run at all (has an embedding or a user adapter); false means cold start. */
    public boolean isKnown() {
        return embedding != null || hasUserAdapter();
    }

    public List<TensorRecord> level(String level) {
        return tensors.getOrDefault(level, List.of());
    }
}
