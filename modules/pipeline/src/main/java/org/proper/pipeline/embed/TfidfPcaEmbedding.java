package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.flatten;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.IDFModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * "tfidf-pca": a user's texts as one bag of words, hashed into {@code numFeatures} term counts, IDF-weighted across
 * users, projected onto the top {@code dim} principal components. Deterministic (no random state). The driver holds
 * only the numFeatures² covariance and the dim×numFeatures projection.
 */
public final class TfidfPcaEmbedding implements EmbeddingMethod {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return UserEmbedder.TFIDF_PCA;
    }

    @Override
    public Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options) {
        return embed(texts, options, null);
    }

    /** Saves HashingTF → IDF → PCA (tokens → embedding) as one PipelineModel under modelDir when it is not null. */
    @Override
    public Dataset<Row> embed(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        Dataset<Row> bags = Tokens.add(texts).groupBy("user_id").agg(flatten(collect_list(col("tokens"))).as("tokens"));
        HashingTF hashing = new HashingTF().setInputCol("tokens").setOutputCol("tf").setNumFeatures(options.numFeatures());
        Dataset<Row> tf = hashing.transform(bags);
        tf.persist();
        try {
            IDFModel idf = new IDF().setInputCol("tf").setOutputCol("tfidf").fit(tf);
            Dataset<Row> tfidf = idf.transform(tf);
            PCAModel pca = new PCA().setInputCol("tfidf").setOutputCol("embedding").setK(options.dim()).fit(tfidf);
            if (modelDir != null) {
                // a pipeline of fitted transformers only: fit() just assembles it (schema check, no job)
                ProfileEmbedder.save(new Pipeline().setStages(new PipelineStage[]{hashing, idf, pca}).fit(bags), modelDir);
            }
            return pca.transform(tfidf).select("user_id", "embedding");
        } finally {
            // cached for the two fits (IDF, PCA) only; the caller's write recomputes it once
            tf.unpersist();
        }
    }
}
