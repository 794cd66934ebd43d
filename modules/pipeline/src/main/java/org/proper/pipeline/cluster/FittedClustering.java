package org.proper.pipeline.cluster;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import org.apache.spark.ml.clustering.BisectingKMeans;
import org.apache.spark.ml.clustering.BisectingKMeansModel;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * One fitted MLlib clustering for one K: its predictions (user_id, features, prediction[, probability]), its centroids
 * and the user_groups columns it yields.
 */
final class FittedClustering {
    final int k;
    final double[][] centroids; // [K][dim]
    final Dataset<Row> predictions;
    private final Column probabilities;

    FittedClustering(double[][] centroids, Dataset<Row> predictions, Column probabilities) {
        this.k = centroids.length;
        this.centroids = centroids;
        this.predictions = predictions;
        this.probabilities = probabilities;
    }

    /** Fits {@code options.algorithm()} with K = {@code k} on (user_id, features). */
    static FittedClustering fit(Dataset<Row> features, int k, ClusterOptions options) {
        switch (options.algorithm()) {
            case ClusterOptions.KMEANS -> {
                KMeansModel m = new KMeans().setK(k).setInitMode("k-means||").setMaxIter(options.maxIter())
                        .setSeed(options.seed()).fit(features);
                return withSoftmax(toArrays(m.clusterCenters()), m.transform(features), options.temperature());
            }
            case ClusterOptions.BISECTING_KMEANS -> {
                BisectingKMeansModel m = new BisectingKMeans().setK(k).setMaxIter(options.maxIter())
                        .setSeed(options.seed()).fit(features);
                return withSoftmax(toArrays(m.clusterCenters()), m.transform(features), options.temperature());
            }
            case ClusterOptions.GMM -> {
                return GaussianMixtureFit.fit(features, k, options);
            }
            default -> throw new IllegalArgumentException("Cannot cluster users: unknown algorithm " + options.algorithm());
        }
    }

    private static FittedClustering withSoftmax(double[][] centroids, Dataset<Row> predictions, double temperature) {
        SoftAssignment soft = new SoftAssignment(centroids, temperature);
        UDF1<Vector, double[]> probs = soft::probabilities;
        Column column = udf(probs, DataTypes.createArrayType(DataTypes.DoubleType, false)).apply(col("features"));
        return new FittedClustering(centroids, predictions, column);
    }

    private static double[][] toArrays(Vector[] centers) {
        double[][] out = new double[centers.length][];
        for (int c = 0; c < centers.length; c++) {
            out[c] = centers[c].toArray();
        }
        return out;
    }

    /** user_groups columns: user_id, group_id, probabilities, algorithm. */
    Dataset<Row> userGroups(String algorithm) {
        return predictions.select(col("user_id"), col("prediction").cast("int").as("group_id"),
                probabilities.as("probabilities"), lit(algorithm).as("algorithm"));
    }

    /** Users per group, indexed by group id (groups nobody is assigned to count 0). */
    long[] sizes() {
        long[] sizes = new long[k];
        for (Row r : predictions.groupBy("prediction").count().collectAsList()) {
            sizes[r.getInt(0)] = r.getLong(1);
        }
        return sizes;
    }

    float[][] centroidsAsFloat() {
        float[][] out = new float[k][];
        for (int c = 0; c < k; c++) {
            out[c] = new float[centroids[c].length];
            for (int i = 0; i < out[c].length; i++) {
                out[c][i] = (float) centroids[c][i];
            }
        }
        return out;
    }

}
