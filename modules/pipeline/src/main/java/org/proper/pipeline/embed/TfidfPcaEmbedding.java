package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.flatten;

import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.IDFModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * "tfidf-pca": a user's texts as one bag of words, hashed into {@code numFeatures} term counts, IDF-weighted across
 * users, projected onto the top {@code dim} principal components. Deterministic: no random state, and the PCA is
 * fitted in one summation order ({@link CanonicalPca#fit}) with canonical component signs. The driver holds
 * only the numFeatures² covariance and the dim×numFeatures projection.
 */
public final class TfidfPcaEmbedding extends SavingEmbeddingMethod {
    private static final long serialVersionUID = 1L;

    @Override
    public String name() {
        return UserEmbedder.TFIDF_PCA;
    }

    @Override
    public Dataset<Row> transform(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        IDFModel idf = IDFModel.load(modelDir + "/idf");
        PCAModel pca = PCAModel.load(modelDir + "/pca");
        return CanonicalPca.project(pca, idf.transform(termFrequencies(texts, options)));
    }

    private static Dataset<Row> termFrequencies(Dataset<Row> texts, EmbedOptions options) {
        Dataset<Row> bags = Tokens.add(texts).groupBy("user_id").agg(flatten(collect_list(col("tokens"))).as("tokens"));
        return new HashingTF().setInputCol("tokens").setOutputCol("tf").setNumFeatures(options.numFeatures())
                .transform(bags);
    }

    /** Saves the IDF and PCA models as {@code modelDir/idf} and {@code modelDir/pca} (the hashing has no state). */
    @Override
    protected Dataset<Row> fit(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        Dataset<Row> tf = termFrequencies(texts, options);
        tf.persist();
        try {
            IDFModel idf = new IDF().setInputCol("tf").setOutputCol("tfidf").fit(tf);
            Dataset<Row> tfidf = idf.transform(tf);
            PCAModel pca = CanonicalPca.fit(new PCA().setInputCol("tfidf").setOutputCol("embedding").setK(options.dim()), tfidf);
            if (modelDir != null) {
                save(idf, modelDir + "/idf");
                save(pca, modelDir + "/pca");
            }
            return CanonicalPca.project(pca, tfidf);
        } finally {
            // cached for the two fits (IDF, PCA) only; the caller's write recomputes it once
            tf.unpersist();
        }
    }
}
