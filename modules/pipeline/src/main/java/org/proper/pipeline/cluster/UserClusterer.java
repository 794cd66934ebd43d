package org.proper.pipeline.cluster;

import static org.apache.spark.sql.functions.col;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.proper.pipeline.run.SparkJobGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster stage (DESIGN §1, §4): users' preference embeddings → meso-level groups with MLlib (KMeans with
 * k-means||, BisectingKMeans, or GaussianMixture), K fixed or chosen by the best silhouette over a range. Writes
 * user_groups with a hard group id and soft probabilities (kmeans/bisecting: softmax(−‖e − c_k‖²/τ); gmm: its
 * posteriors) and returns a {@link ClusterSummary} whose centroids initialise the router.
 */
public final class UserClusterer {
    private static final Logger LOG = LoggerFactory.getLogger(UserClusterer.class);

    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("user_id", DataTypes.StringType, false),
            DataTypes.createStructField("group_id", DataTypes.IntegerType, false),
            DataTypes.createStructField("probabilities", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
            DataTypes.createStructField("algorithm", DataTypes.StringType, false)});

    private final ClusterOptions options;

    public UserClusterer(ClusterOptions options) {
        this.options = options;
    }

    public String description() {
        return "Clustering users (" + options.describe() + ")";
    }

    /**
     * Fits the clustering (choosing K if asked) now; the returned user_groups rows are lazy (call
     * {@link ClusteringResult#release()} after writing them).
     *
     * @param userEmbeddings the user_embeddings table (user_id, embedding array&lt;float&gt;)
     */
    public ClusteringResult cluster(Dataset<Row> userEmbeddings) {
        SparkSession spark = userEmbeddings.sparkSession();
        Dataset<Row> features = userEmbeddings
                .select(col("user_id"), org.apache.spark.ml.functions.array_to_vector(col("embedding")).as("features"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try (SparkJobGroup group = SparkJobGroup.open(spark, "cluster", description())) {
            ClusteringEvaluator evaluator = new ClusteringEvaluator().setFeaturesCol("features")
                    .setPredictionCol("prediction").setMetricName("silhouette").setDistanceMeasure("squaredEuclidean");
            Map<Integer, Double> silhouetteByK = new LinkedHashMap<>();
            FittedClustering best = null;
            double bestSilhouette = Double.NEGATIVE_INFINITY;
            int from = options.choosesK() ? options.kMin() : options.k();
            int to = options.choosesK() ? options.kMax() : options.k();
            for (int k = from; k <= to; k++) {
                group.describe("Clustering users (" + options.algorithm() + ", K=" + k + ")");
                FittedClustering fitted = FittedClustering.fit(features, k, options);
                double silhouette = fitted.k < 2 ? Double.NaN : evaluator.evaluate(fitted.predictions);
                silhouetteByK.put(k, silhouette);
                LOG.info("Clustering users ({}, K={}): silhouette {}", options.algorithm(), k, String.format("%.4f", silhouette));
                if (best == null || silhouette > bestSilhouette) {
                    best = fitted;
                    bestSilhouette = silhouette;
                }
            }
            group.describe("Clustering users (" + options.algorithm() + ", K=" + best.k + "): group sizes");
            ClusterSummary summary = new ClusterSummary(options.algorithm(), best.k, best.centroidsAsFloat(),
                    best.sizes(), bestSilhouette, Map.copyOf(silhouetteByK));
            LOG.info("Clustered users: {}", summary);
            Dataset<Row> userGroups = spark.createDataFrame(best.userGroups(options.algorithm()).javaRDD(), SCHEMA);
            return new ClusteringResult(userGroups, summary, features);
        }
    }

    /** Clusters and writes user_groups (Parquet, sorted by user_id within files) to {@code path}. */
    public ClusterSummary write(Dataset<Row> userEmbeddings, String path) {
        ClusteringResult result = cluster(userEmbeddings);
        try (SparkJobGroup g = SparkJobGroup.open(userEmbeddings.sparkSession(), "cluster", description() + ": writing")) {
            result.userGroups().sortWithinPartitions("user_id").write().mode("overwrite").parquet(path);
        } finally {
            result.release();
        }
        return result.summary();
    }
}
