package org.proper.pipeline.embed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

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
 * MLlib PCA projections with a canonical sign per principal component, shared by the methods that reduce with PCA
 * (tfidf-pca, hidden-state).
 *
 * <p>A principal component's sign is arbitrary: the eigensolver may return −v instead of v when the covariance differs
 * in the last bits (Spark sums it in task-completion order), which mirrors every embedding along that axis and moves
 * the k-means centroids (same groups, other router centroids). Each coordinate is multiplied by the sign of its
 * component's largest-magnitude entry, so re-runs give the same embeddings; the signs are a function of the (saved)
 * model, so a later transform applies the same ones.
 */
final class CanonicalPca {
    private CanonicalPca() {}

    /**
     * Fits {@code pca} on the users in one fixed summation order: two partitions, each sorted by user. Spark merges the
     * partitions' partial sums of the mean and the covariance in the order its tasks finish, and with more than two
     * partial sums that order changes the last bits; where eigenvalues lie close together (planted test groups, a
     * flat tail of real profiles) those bits rotate the components by far more than the signs above can mend, so
     * that the same users got other embeddings from one run to the next. Two partial sums add up the same either
     * way. The fit's two tasks read the cached input; the projection keeps the input's partitions.
     */
    static PCAModel fit(PCA pca, Dataset<Row> users) {
        return pca.fit(users.coalesce(2).sortWithinPartitions("user_id"));
    }

    /** +1 or −1 per component, making its largest-magnitude entry positive. */
    static double[] signs(DenseMatrix pc) {                      // pc: [numFeatures, k]
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

    /** (user_id, embedding): the model's projection of {@code rows} (its output column "embedding"), canonical signs. */
    static Dataset<Row> project(PCAModel pca, Dataset<Row> rows) {
        if (!"embedding".equals(pca.getOutputCol())) {
            throw new IllegalArgumentException("Cannot project users: the PCA model writes column " + pca.getOutputCol() + ", not embedding");
        }
        double[] signs = signs(pca.pc());
        UDF1<Vector, Vector> flip = v -> {
            double[] a = v.toArray().clone();
            for (int i = 0; i < a.length; i++) a[i] *= signs[i];
            return Vectors.dense(a);
        };
        return pca.transform(rows).select(col("user_id"), udf(flip, new VectorUDT()).apply(col("embedding")).as("embedding"));
    }
}
