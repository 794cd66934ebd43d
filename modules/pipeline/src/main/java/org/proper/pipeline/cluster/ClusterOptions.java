package org.proper.pipeline.cluster;

import java.util.Set;

/**
 * Options of the cluster stage.
 *
 * @param algorithm   "kmeans" (k-means||), "bisecting-kmeans" or "gmm" (Gaussian mixture by EM started from k-means, soft posteriors)
 * @param k           fixed number of groups, or 0 to choose K by silhouette over [kMin, kMax]
 * @param kMin        smallest K tried when k = 0 (≥ 2: silhouette needs two clusters)
 * @param kMax        largest K tried when k = 0
 * @param temperature τ of the soft assignment softmax(−‖e − c_k‖² / τ) for kmeans and bisecting-kmeans
 * @param maxIter     iterations of the clustering algorithm
 * @param seed        random seed
 */
public record ClusterOptions(String algorithm, int k, int kMin, int kMax, double temperature, int maxIter, long seed) {
    public static final String KMEANS = "kmeans";
    public static final String BISECTING_KMEANS = "bisecting-kmeans";
    public static final String GMM = "gmm";
    public static final Set<String> ALGORITHMS = Set.of(KMEANS, BISECTING_KMEANS, GMM);

    public ClusterOptions {
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("Cannot cluster users: cluster.algorithm '" + algorithm + "' is not one of " + ALGORITHMS);
        }
        if (k < 0 || k == 1) {
            throw new IllegalArgumentException("Cannot cluster users: cluster.k must be 0 (choose by silhouette) or >= 2, got " + k);
        }
        if (k == 0 && (kMin < 2 || kMax < kMin)) {
            throw new IllegalArgumentException("Cannot cluster users: cluster.k-range must satisfy 2 <= k-min <= k-max, got ["
                    + kMin + ", " + kMax + "]");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("Cannot cluster users: cluster.temperature must be a positive number, got " + temperature);
        }
        if (maxIter < 1) {
            throw new IllegalArgumentException("Cannot cluster users: cluster.max-iter must be >= 1, got " + maxIter);
        }
    }

    /** K fixed; temperature 0.1, 20 iterations, seed 42. */
    public static ClusterOptions fixed(String algorithm, int k) {
        return new ClusterOptions(algorithm, k, 0, 0, 0.1, 20, 42L);
    }

    /** K chosen by silhouette over [kMin, kMax]; temperature 0.1, 20 iterations, seed 42. */
    public static ClusterOptions bySilhouette(String algorithm, int kMin, int kMax) {
        return new ClusterOptions(algorithm, 0, kMin, kMax, 0.1, 20, 42L);
    }

    public boolean choosesK() {
        return k == 0;
    }

    public String describe() {
        return algorithm + ", " + (choosesK() ? "K in " + kMin + ".." + kMax + " by silhouette" : "K=" + k);
    }
}
