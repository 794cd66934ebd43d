package org.proper.pipeline.embed;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * An embedding method that fits a model on the users' texts and can save it, so that a later run (or serving's
 * {@link ProfileEmbedder}) embeds new users in the same space with {@link #transform}: {@link #embed} fits without
 * saving, {@link #embedAndSave} fits and saves.
 */
public abstract class SavingEmbeddingMethod implements EmbeddingMethod {
    private static final long serialVersionUID = 1L;

    /**
     * Fits the method's model on {@code texts} and embeds their users (see {@link EmbeddingMethod#embed}).
     *
     * @param modelDir where to save the fitted model, or null to save nothing
     */
    protected abstract Dataset<Row> fit(Dataset<Row> texts, EmbedOptions options, String modelDir);

    @Override
    public final Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options) {
        return fit(texts, options, null);
    }

    @Override
    public final boolean reusable() {
        return true;
    }

    @Override
    public final Dataset<Row> embedAndSave(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        return fit(texts, options, modelDir);
    }

    /** Saves an MLlib model (metadata + Parquet data) to {@code path}, replacing what is there. */
    protected static void save(MLWritable model, String path) {
        try {
            model.write().overwrite().save(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save embedding model to " + path + ": " + e.getMessage(), e);
        }
    }
}
