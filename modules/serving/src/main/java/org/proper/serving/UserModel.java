package org.proper.serving;

import org.proper.model.infer.Composition;
import org.proper.pipeline.evaluate.Predictor;
import org.proper.pipeline.evaluate.UserCompositions;

/**
 * The model that answers one user, as {@link UserModels} composed it from a published run.
 *
 * @param userId    the user asked for
 * @param served    which composition serves the request
 * @param composed  the composition and the embedding to route it by (null where nothing is routed)
 */
public record UserModel(String userId, Served served, UserCompositions.Composed composed) {

    /** Which composition serves a request (DESIGN §2; cold start beyond the paper). */
    public enum Served {
        /** A user trained at user level: merged base + experts via the LoRA-aware router β + the user's LoRA. */
        USER_LORA("user LoRA", "population-merged base + group experts via the LoRA-aware router + the user's LoRA"),
        /** A known user without a user LoRA (below min-history): merged base + experts via the user-aware router. */
        KNOWN_VIA_ROUTER("known user via router", "population-merged base + group experts mixed by the user-aware router from the user's embedding"),
        /** A user the run does not know, embedded from its profile: merged base + experts via the router. */
        COLD_START("cold start", "population-merged base + group experts mixed by the user-aware router from the embedding of the user's profile"),
        /** No embedding to route by (unknown user without a profile) or no group level: the merged base alone. */
        POPULATION("population", "population-merged base only (no embedding to route by, or the run has no group level)");

        private final String label;
        private final String composition;

        Served(String label, String composition) {
            this.label = label;
            this.composition = composition;
        }

        public String label() {
            return label;
        }

        public String composition() {
            return composition;
        }
    }

    public Composition composition() {
        return composed.composition();
    }

    /** The embedding fed to the router (the user's, or the cold-start one), or null. */
    public float[] embedding() {
        return composed.embedding();
    }

    /** The answer to a prompt, decoded as the run's evaluation does (label-constrained or greedy). */
    public String answer(Predictor predictor, String prompt) {
        return predictor.predict(composition(), embedding(), prompt);
    }

    /** One line for logs and the CLI: "user u3: user LoRA (population-merged base + ...)". */
    public String describe() {
        return "user " + userId + ": " + served.label() + " (" + served.composition() + ")";
    }

    /** Drops this thread's cached graphs of a per-user composition. */
    public void release() {
        composed.release();
    }
}
