package org.proper.pipeline.cluster;

import java.io.Serializable;

import org.apache.spark.ml.linalg.Vector;

/**
 * Soft group membership from centroids: p_k = softmax_k(−‖e − c_k‖² / τ) (DESIGN §2's router at v = 0), computed
 * stably (max-shifted). Used for kmeans and bisecting-kmeans; gmm reports its own posteriors.
 */
final class SoftAssignment implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] centroids; // [K][dim]
    private final double temperature;

    SoftAssignment(double[][] centroids, double temperature) {
        this.centroids = centroids;
        this.temperature = temperature;
    }

    double[] probabilities(Vector e) {
        int k = centroids.length;
        double[] logits = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            double d2 = 0;
            for (int i = 0; i < centroids[c].length; i++) {
                double diff = e.apply(i) - centroids[c][i];
                d2 += diff * diff;
            }
            logits[c] = -d2 / temperature;
            max = Math.max(max, logits[c]);
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            logits[c] = Math.exp(logits[c] - max);
            sum += logits[c];
        }
        for (int c = 0; c < k; c++) {
            logits[c] /= sum;
        }
        return logits;
    }
}
