package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.IDFModel;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;

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
        return fit(texts, options, null);
    }

    @Override
    public boolean reusable() {
        return true;
    }

    /** Saves the IDF and PCA models as {@code modelDir/idf} and {@code modelDir/pca} (the hashing has no state). */
    @Override
    public Dataset<Row> embedAndSave(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        return fit(texts, options, modelDir);
    }

    @Override
    public Dataset<Row> transform(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        IDFModel idf = IDFModel.load(modelDir + "/idf");
        PCAModel pca = PCAModel.load(modelDir + "/pca");
        return project(pca, idf.transform(termFrequencies(texts, options)));
    }

    private static Dataset<Row> termFrequencies(Dataset<Row> texts, EmbedOptions options) {
        Dataset<Row> bags = Tokens.add(texts).groupBy("user_id").agg(flatten(collect_list(col("tokens"))).as("tokens"));
        return new HashingTF().setInputCol("tokens").setOutputCol("tf").setNumFeatures(options.numFeatures())
                .transform(bags);
    }

    private static Dataset<Row> fit(Dataset<Row> texts, EmbedOptions options, String modelDir) {
        Dataset<Row> tf = termFrequencies(texts, options);
        tf.persist();
        try {
            IDFModel idf = new IDF().setInputCol("tf").setOutputCol("tfidf").fit(tf);
            Dataset<Row> tfidf = idf.transform(tf);
            PCAModel pca = new PCA().setInputCol("tfidf").setOutputCol("embedding").setK(options.dim()).fit(tfidf);
            if (modelDir != null) {
                save(idf, modelDir + "/idf");
                save(pca, modelDir + "/pca");
            }
            return project(pca, tfidf);
        } finally {
            // cached for the two fits (IDF, PCA) only; the caller's write recomputes it once
            tf.unpersist();
        }
    }

    /**
     * A principal component's sign is arbitrary: the eigensolver may return −v instead of v when the covariance differs
     * in the last bits (Spark sums it in task-completion order), which mirrors every embedding along that axis and
     * moves the k-means centroids (same groups, other router centroids). Each coordinate is multiplied by the sign of
     * its component's largest-magnitude entry, so re-runs give the same embeddings; the signs are a function of the
     * (saved) model, so a later transform applies the same ones.
     */
    static double[] canonicalSigns(DenseMatrix pc) {            // pc: [numFeatures, k]
        int rows = pc.numRows(), cols = pc.numCols();
        double[] values = pc.toArray();                           // column-major copy
        double[] signs = new double[cols];
        for (int j = 0; j < cols; j++) {
            int best = 0;
            for (int i = 1; i < rows; i++) {
                if (Math.abs(values[j * rows + i]) > Math.abs(values[j * rows + best])) best = i;
            }
            signs[j] = values[j * rows + best] < 0 ? -1.0 : 1.0;
        }
        return signs;
    }

    /** (user_id, embedding): the PCA projection with canonical component signs. */
    private static Dataset<Row> project(PCAModel pca, Dataset<Row> tfidf) {
        double[] signs = canonicalSigns(pca.pc());
        UDF1<Vector, Vector> flip = v -> {
            double[] a = v.toArray().clone();
            for (int i = 0; i < a.length; i++) a[i] *= signs[i];
            return Vectors.dense(a);
        };
        return pca.transform(tfidf).select(col("user_id"), udf(flip, new VectorUDT()).apply(col("embedding")).as("embedding"));
    }

    static void save(org.apache.spark.ml.util.MLWritable model, String path) {
        try {
            model.write().overwrite().save(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot save embedding model to " + path + ": " + e.getMessage(), e);
        }
    }
}
