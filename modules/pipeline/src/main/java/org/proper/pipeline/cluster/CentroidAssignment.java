package org.proper.pipeline.cluster;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Assigns users to an existing clustering without refitting it (new and changed users of an incremental run): hard
 * group = the nearest centroid, soft probabilities = softmax(−‖e − c_k‖² / τ) ({@link SoftAssignment}, DESIGN §2's
 * router at v = 0). For kmeans this is the algorithm's own assignment; for bisecting-kmeans and gmm it is the
 * nearest-centroid approximation of theirs until the next re-clustering.
 */
public final class CentroidAssignment {
    private CentroidAssignment() {}

    /**
     * @param embeddings user_embeddings rows (user_id, embedding array&lt;float&gt;)
     * @return user_groups rows ({@link UserClusterer#SCHEMA}) under {@code clustering}'s centroids
     */
    public static Dataset<Row> userGroups(Dataset<Row> embeddings, ClusterSummary clustering, double temperature) {
        double[][] centroids = new double[clustering.k()][];
        for (int c = 0; c < centroids.length; c++) {
            float[] f = clustering.centroids()[c];
            centroids[c] = new double[f.length];
            for (int i = 0; i < f.length; i++) centroids[c][i] = f[i];
        }
        SoftAssignment soft = new SoftAssignment(centroids, temperature);
        String algorithm = clustering.algorithm();
        JavaRDD<Row> rows = embeddings.select("user_id", "embedding").javaRDD().mapPartitions((Iterator<Row> it) -> {
            List<Row> out = new ArrayList<>();
            while (it.hasNext()) {
                Row r = it.next();
                List<Float> e = r.getList(1);
                double[] v = new double[e.size()];
                for (int i = 0; i < v.length; i++) v[i] = e.get(i);
                double[] p = soft.probabilities(Vectors.dense(v));
                int best = 0;
                for (int c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
                out.add(RowFactory.create(r.getString(0), best, p, algorithm));
            }
            return out.iterator();
        });
        return embeddings.sparkSession().createDataFrame(rows, UserClusterer.SCHEMA);
    }
}
