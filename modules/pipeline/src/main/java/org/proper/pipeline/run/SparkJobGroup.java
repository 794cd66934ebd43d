package org.proper.pipeline.run;

import org.apache.spark.sql.SparkSession;

/**
 * Names the Spark jobs a stage launches, so the Spark UI and logs read "Embedding users (tfidf-pca, dim 32)" instead
 * of "parquet at …". Job groups are thread-local: open one around the code that triggers the jobs.
 *
 * <pre>try (SparkJobGroup g = SparkJobGroup.open(spark, "embed", "Embedding users (tfidf-pca, dim 32)")) { … }</pre>
 */
public final class SparkJobGroup implements AutoCloseable {
    private final SparkSession spark;

    private SparkJobGroup(SparkSession spark) {
        this.spark = spark;
    }

    public static SparkJobGroup open(SparkSession spark, String groupId, String description) {
        spark.sparkContext().setJobGroup(groupId, description, false);
        return new SparkJobGroup(spark);
    }

    /** Changes the description of the jobs launched next (e.g. "Clustering users (kmeans, K=5)"). */
    public void describe(String description) {
        spark.sparkContext().setJobDescription(description);
    }

    @Override
    public void close() {
        spark.sparkContext().clearJobGroup();
    }
}
