package org.proper.pipeline.embed;

import java.io.Serializable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One way of turning users' texts into vectors. Implementations run their work on the executors and never collect
 * per-user rows to the driver. The lead's "hidden-state" method (the base model's mean hidden state, computed on
 * executors) plugs in here via {@link UserEmbedder#withMethod}.
 */
public interface EmbeddingMethod extends Serializable {
    /** The value of {@code embed.method} that selects this method. */
    String name();

    /**
     * @param texts   one row per text (user_id string, text string): a training example's input + output, or for
     *                cold-start users a query input; a user has one or more rows
     * @param options the stage's options (dim, seed, …)
     * @return one row per user: user_id and a column "embedding", either an MLlib Vector or array&lt;float|double&gt;
     *         of length {@code options.dim()}; it need not be normalised ({@link UserEmbedder} L2-normalises)
     */
    Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options);

    /**
     * Like {@link #embed(Dataset, EmbedOptions)}, and, when {@code modelDir} is not null and the method can embed a user
     * who was not in the fit, saves the fitted model there as a Spark ML {@code PipelineModel} that maps a column
     * "tokens" (one row per user: all its tokens, see {@link ProfileEmbedder}) to a column "embedding". Methods that
     * cannot (the default) save nothing, and serving then has no way to embed a new user's profile.
     */
    default Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        return embed(texts, options);
    }
}
