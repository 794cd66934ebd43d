package org.proper.pipeline.cluster;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.stat.Summarizer;
import org.apache.spark.mllib.clustering.GaussianMixture;
import org.apache.spark.mllib.clustering.GaussianMixtureModel;
import org.apache.spark.mllib.linalg.Matrices;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.stat.distribution.MultivariateGaussian;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * "gmm": Gaussian mixture by EM, initialised from k-means|| (means = centroids, weights = cluster shares,
 * covariances = each cluster's per-dimension variance + {@value #VARIANCE_FLOOR}). A random EM start on few users in
 * many dimensions collapses a component onto a single point (a singular covariance with unbounded likelihood);
 * starting from k-means avoids that. Soft assignment = the mixture's posteriors.
 */
final class GaussianMixtureFit {
    static final double VARIANCE_FLOOR = 1e-3;

    private GaussianMixtureFit() {}

    /** @return (centroids [K][dim], predictions with columns prediction int and probs array&lt;double&gt;) */
    static FittedClustering fit(Dataset<Row> features, int k, ClusterOptions options) {
        KMeansModel kmeans = new KMeans().setK(k).setInitMode("k-means||").setMaxIter(options.maxIter())
                .setSeed(options.seed()).fit(features);
        int actualK = kmeans.clusterCenters().length;
        int dim = kmeans.clusterCenters()[0].size();
        double[] weights = new double[actualK];
        MultivariateGaussian[] initial = new MultivariateGaussian[actualK];
        java.util.Arrays.fill(weights, 1e-9);
        for (int c = 0; c < actualK; c++) {
            initial[c] = gaussian(Vectors.fromML(kmeans.clusterCenters()[c]).toArray(), new double[dim]);
        }
        long total = 0;
        for (Row r : kmeans.transform(features).groupBy("prediction")
                .agg(count("*").as("n"), Summarizer.variance(col("features")).as("var")).collectAsList()) {
            int c = r.getInt(0);
            weights[c] = r.getLong(1);
            total += r.getLong(1);
            double[] var = r.getLong(1) > 1 ? ((org.apache.spark.ml.linalg.Vector) r.get(2)).toArray() : new double[dim];
            initial[c] = gaussian(initial[c].mu().toArray(), var);
        }
        for (int c = 0; c < actualK; c++) {
            weights[c] /= Math.max(total, 1);
        }

        JavaRDD<Vector> data = features.select("features").javaRDD()
                .map(r -> Vectors.fromML((org.apache.spark.ml.linalg.Vector) r.get(0)));
        data.persist(StorageLevel.MEMORY_AND_DISK());
        GaussianMixtureModel model;
        try {
            model = new GaussianMixture().setK(actualK).setInitialModel(new GaussianMixtureModel(weights, initial))
                    .setMaxIterations(options.maxIter()).setSeed(options.seed()).run(data.rdd());
        } finally {
            data.unpersist(false);
        }

        Posteriors posteriors = new Posteriors(model.weights(), model.gaussians());
        UDF1<org.apache.spark.ml.linalg.Vector, double[]> probs = posteriors::of;
        Column probsColumn = udf(probs, DataTypes.createArrayType(DataTypes.DoubleType, false)).apply(col("features"));
        Dataset<Row> predictions = features.withColumn("probs", probsColumn)
                .withColumn("prediction", expr("cast(array_position(probs, array_max(probs)) - 1 as int)"));
        double[][] means = new double[actualK][];
        for (int c = 0; c < actualK; c++) {
            means[c] = model.gaussians()[c].mu().toArray();
        }
        return new FittedClustering(means, predictions, col("probs"));
    }

    private static MultivariateGaussian gaussian(double[] mean, double[] variance) {
        int dim = mean.length;
        double[] cov = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            cov[i * dim + i] = variance[i] + VARIANCE_FLOOR;
        }
        return new MultivariateGaussian(Vectors.dense(mean), Matrices.dense(dim, dim, cov));
    }

    /** p(k | x) = w_k N(x; μ_k, Σ_k) / Σ_j w_j N(x; μ_j, Σ_j), in log space. */
    static final class Posteriors implements Serializable {
        private static final long serialVersionUID = 1L;
        private final double[] weights;
        private final MultivariateGaussian[] gaussians;

        Posteriors(double[] weights, MultivariateGaussian[] gaussians) {
            this.weights = weights;
            this.gaussians = gaussians;
        }

        double[] of(org.apache.spark.ml.linalg.Vector x) {
            Vector v = Vectors.fromML(x);
            double[] logp = new double[weights.length];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < logp.length; c++) {
                logp[c] = Math.log(weights[c]) + gaussians[c].logpdf(v);
                max = Math.max(max, logp[c]);
            }
            double sum = 0;
            for (int c = 0; c < logp.length; c++) {
                logp[c] = Math.exp(logp[c] - max);
                sum += logp[c];
            }
            for (int c = 0; c < logp.length; c++) {
                logp[c] /= sum;
            }
            return logp;
        }
    }
}
