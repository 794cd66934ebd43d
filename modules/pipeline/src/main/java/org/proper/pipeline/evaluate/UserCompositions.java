package org.proper.pipeline.evaluate;

import java.io.Serializable;

import org.proper.model.infer.Composition;
import org.proper.model.lm.BaseModel;
import org.proper.model.method.GroupExperts;
import org.proper.model.method.UserAdapter;

/**
 * The one rule that picks the model answering a user (DESIGN §2, "Cold-start users"), shared by the evaluate stage
 * and by serving so both answer a user with the same composition:
 * <ul>
 *   <li>a user LoRA: population-merged base + group experts mixed by the LoRA-aware router β + the user's LoRA
 *       ({@link Level#USER_LORA}); without a group level (OPPU) merged base + user LoRA;</li>
 *   <li>no user LoRA but an embedding: merged base + experts mixed by the user-aware router g(u, x) from that
 *       embedding ({@link Level#ROUTER}) — a known user below min-history, or a cold-start user embedded from its
 *       texts;</li>
 *   <li>no user LoRA and no embedding, or no group level: the population-merged base ({@link Level#POPULATION}).</li>
 * </ul>
 * The population and router compositions are built once and shared (their inference graphs are cached per thread);
 * a user LoRA composition is per user and dropped with {@link Composed#release()}.
 */
public final class UserCompositions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Which level of the progressive model answers. */
    public enum Level { USER_LORA, ROUTER, POPULATION }

    /**
     * A user's composition and the embedding to feed it (null where the composition routes nothing).
     *
     * @param shared true for the shared population/router compositions, false for a per-user one
     */
    public record Composed(Level level, Composition composition, float[] embedding, boolean shared) {
        /** Drops this thread's cached graphs of a per-user composition; shared ones stay cached. */
        public void release() {
            if (!shared) composition.release();
        }
    }

    private final BaseModel merged;
    private final GroupExperts experts;
    private final boolean hardRouting;
    private final Composition population;
    private final Composition router;

    /**
     * @param merged      the population-merged base W' = W + ΔW_p
     * @param experts     group experts and router, or null without a group level (OPPU)
     * @param hardRouting the hard-clusters ablation (one-hot g of the nearest centroid)
     */
    public UserCompositions(BaseModel merged, GroupExperts experts, boolean hardRouting) {
        if (merged == null) throw new IllegalArgumentException("Cannot compose users: the merged base model is null");
        this.merged = merged;
        this.experts = experts;
        this.hardRouting = hardRouting;
        this.population = Composition.of(merged);
        this.router = experts == null ? null : new Composition(merged, experts, null, hardRouting);
    }

    public BaseModel merged() {
        return merged;
    }

    public GroupExperts experts() {
        return experts;
    }

    public boolean hardRouting() {
        return hardRouting;
    }

    /** The population-merged base alone (the "population" level). */
    public Composition population() {
        return population;
    }

    /** Merged base + router-mixed experts (the "group" level), or null without a group level. */
    public Composition router() {
        return router;
    }

    /**
     * @param user      the user's trained adapter, or null when it has none
     * @param embedding the user's preference embedding (from the run, or computed for a cold-start user), or null
     * @throws IllegalArgumentException when a user LoRA with a LoRA-aware router comes without an embedding, or the
     *                                  embedding's size is not the router centroids'
     */
    public Composed forUser(UserAdapter user, float[] embedding) {
        if (experts != null && embedding != null && embedding.length != experts.embeddingDim()) {
            throw new IllegalArgumentException("Cannot route user" + (user == null ? "" : " " + user.userId())
                    + ": its embedding has " + embedding.length + " dimensions, the router's centroids " + experts.embeddingDim());
        }
        if (user != null) {
            if (experts != null && embedding == null) {
                throw new IllegalArgumentException("Cannot compose user " + user.userId()
                        + ": its LoRA-aware router needs the user's embedding, and none was given");
            }
            return new Composed(Level.USER_LORA, new Composition(merged, experts, user, hardRouting), embedding, false);
        }
        if (router != null && embedding != null) return new Composed(Level.ROUTER, router, embedding, true);
        return new Composed(Level.POPULATION, population, null, true);
    }

    /** Drops this thread's cached graphs of the shared compositions (e.g. at the end of a Spark task). */
    public void release() {
        population.release();
        if (router != null) router.release();
    }
}
