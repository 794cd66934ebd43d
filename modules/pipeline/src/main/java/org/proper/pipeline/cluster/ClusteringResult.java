package org.proper.pipeline.cluster;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * @param userGroups the user_groups rows (user_id, group_id, probabilities, algorithm), lazy over cached features
 * @param summary    K, centroids, sizes, silhouette
 * @param features   the cached (user_id, features) the rows are computed from; {@link #release()} frees it
 */
public record ClusteringResult(Dataset<Row> userGroups, ClusterSummary summary, Dataset<Row> features) {
    /** Frees the cached features once user_groups has been written. */
    public void release() {
        features.unpersist();
    }
}
