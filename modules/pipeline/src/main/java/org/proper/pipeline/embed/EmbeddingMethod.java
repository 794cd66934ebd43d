package org.proper.pipeline.embed;

import java.io.Serializable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One way of turning users' texts into vectors. Implementations run their work on the executors and never collect
 * per-user rows to the driver. Methods that fit a model they can save extend {@link SavingEmbeddingMethod}.
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

    /** Whether this method saves its fitted model ({@link #embedAndSave}) and embeds with it later ({@link #transform}). */
    default boolean reusable() {
        return false;
    }

    /** As {@link #embed}, also saving the fitted model (MLlib persistence) under {@code modelDir}. */
    default Dataset<Row> embedAndSave(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        throw new UnsupportedOperationException("Cannot save the model of embedding method " + name());
    }

    /** Embeds {@code texts}' users with the model {@link #embedAndSave} saved under {@code modelDir}, fitting nothing. */
    default Dataset<Row> transform(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        throw new UnsupportedOperationException("Cannot embed with a saved model: method " + name() + " saves none");
    }
}
