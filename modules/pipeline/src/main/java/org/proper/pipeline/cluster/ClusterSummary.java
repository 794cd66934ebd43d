package org.proper.pipeline.cluster;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Map;

/**
 * What the cluster stage found, small enough for the driver and the manifest: the router is initialised from
 * {@link #centroids()} (DESIGN §2, c_k).
 *
 * @param algorithm        the clustering algorithm
 * @param k                number of groups
 * @param centroids        float[k][dim] (for gmm: the Gaussians' means)
 * @param sizes            users per group, indexed by group id
 * @param silhouette       silhouette (squared Euclidean) of the chosen clustering
 * @param silhouetteByK    every K tried and its silhouette (one entry when K was fixed)
 */
public record ClusterSummary(String algorithm, int k, float[][] centroids, long[] sizes, double silhouette,
                             Map<Integer, Double> silhouetteByK) implements Serializable {

    @Override
    public String toString() {
        return "ClusterSummary[" + algorithm + ", K=" + k + ", sizes=" + Arrays.toString(sizes)
                + String.format(", silhouette=%.4f", silhouette) + ", silhouetteByK=" + silhouetteByK + "]";
    }
}
