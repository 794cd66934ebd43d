package org.proper.pipeline.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.proper.data.schema.SchemaContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.PlantedUsers;
import org.proper.pipeline.embed.UserEmbedder;
import org.proper.pipeline.run.LocalSpark;

class UserClustererTest {
    private static final int GROUPS = 4;
    private static SparkSession spark;
    private static Dataset<Row> embeddings;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("UserClustererTest");
        // planted groups through the real embed stage: 4 groups x 20 users, plus 4 cold-start users
        Dataset<Row> interactions = PlantedUsers.interactions(spark, GROUPS, 20, 10, 4, "answer", 11L);
        embeddings = new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 8)).embed(interactions).cache();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<int[]> plantedAndPredicted(Dataset<Row> userGroups) {
        List<int[]> out = new ArrayList<>();
        for (Row r : userGroups.collectAsList()) {
            out.add(new int[] {PlantedUsers.groupOf(r.getString(0), GROUPS), r.getInt(1)});
        }
        return out;
    }

    private static void assertProbabilitiesSumToOneAndPeakAtGroup(Dataset<Row> userGroups, int k) {
        for (Row r : userGroups.collectAsList()) {
            List<Double> p = r.getList(2);
            assertEquals(k, p.size());
            double sum = p.stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(1.0, sum, 1e-9, "probabilities of " + r.getString(0));
            int argmax = 0;
            for (int i = 1; i < p.size(); i++) {
                argmax = p.get(i) > p.get(argmax) ? i : argmax;
            }
            assertEquals(r.getInt(1), argmax, "hard group is the most probable group for " + r.getString(0));
        }
    }

    @Test
    void kmeansSilhouettePicksThePlantedKAndRecoversTheGroups() {
        ClusteringResult result = new UserClusterer(ClusterOptions.bySilhouette(ClusterOptions.KMEANS, 2, 6)).cluster(embeddings);
        ClusterSummary summary = result.summary();
        assertEquals(GROUPS, summary.k(), "silhouettes: " + summary.silhouetteByK());
        assertEquals(5, summary.silhouetteByK().size());
        assertEquals(GROUPS, summary.centroids().length);
        assertEquals(8, summary.centroids()[0].length);
        assertEquals(84, java.util.Arrays.stream(summary.sizes()).sum());
        assertTrue(summary.silhouette() > 0.3, "silhouette " + summary.silhouette());

        assertEquals(UserClusterer.SCHEMA, result.userGroups().schema());
        SchemaContract.check("user_groups", result.userGroups().schema());
        List<int[]> pp = plantedAndPredicted(result.userGroups());
        assertEquals(84, pp.size());
        assertTrue(ClusterAgreement.purity(pp) >= 0.95, "purity " + ClusterAgreement.purity(pp));
        assertTrue(ClusterAgreement.adjustedRandIndex(pp) >= 0.9, "ARI " + ClusterAgreement.adjustedRandIndex(pp));
        assertProbabilitiesSumToOneAndPeakAtGroup(result.userGroups(), GROUPS);
        result.release();
    }

    @Test
    void bisectingKmeansAndGmmRecoverThePlantedGroupsWithFixedK() {
        // bisecting k-means is divisive: an early split is never revisited, so it is held to a lower bar than gmm
        for (String algorithm : List.of(ClusterOptions.BISECTING_KMEANS, ClusterOptions.GMM)) {
            ClusteringResult result = new UserClusterer(ClusterOptions.fixed(algorithm, GROUPS)).cluster(embeddings);
            List<int[]> pp = plantedAndPredicted(result.userGroups());
            double purity = ClusterAgreement.purity(pp);
            double ari = ClusterAgreement.adjustedRandIndex(pp);
            double minPurity = algorithm.equals(ClusterOptions.GMM) ? 0.9 : 0.75;
            assertTrue(purity >= minPurity, algorithm + " purity " + purity + " ARI " + ari + " " + result.summary());
            assertProbabilitiesSumToOneAndPeakAtGroup(result.userGroups(), result.summary().k());
            assertEquals(algorithm, result.userGroups().first().getString(3));
            result.release();
        }
    }

    @Test
    void softAssignmentIsSoftmaxOfNegativeSquaredDistanceOverTemperature() {
        SoftAssignment soft = new SoftAssignment(new double[][] {{0, 0}, {1, 0}}, 0.5);
        double[] p = soft.probabilities(org.apache.spark.ml.linalg.Vectors.dense(0.25, 0));
        // d² = 0.0625 and 0.5625 → logits −0.125, −1.125 → p0 = 1 / (1 + e^−1)
        assertEquals(1 / (1 + Math.exp(-1)), p[0], 1e-12);
        assertEquals(1 - p[0], p[1], 1e-12);
    }

    @Test
    void writeStoresUserGroupsAndReturnsTheSummary(@TempDir File dir) {
        // well-separated 2-D blobs, to check the write path independently of the embedder
        Random rnd = new Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            float cx = (i % 3) * 10f;
            rows.add(RowFactory.create("u" + i, new float[] {cx + (float) rnd.nextGaussian() * 0.1f, (float) rnd.nextGaussian() * 0.1f}, "test"));
        }
        Dataset<Row> points = spark.createDataFrame(rows, UserEmbedder.SCHEMA);
        String path = new File(dir, "user_groups").getPath();
        ClusterSummary summary = new UserClusterer(ClusterOptions.fixed(ClusterOptions.KMEANS, 3)).write(points, path);
        assertEquals(3, summary.k());
        assertEquals(List.of(10L, 10L, 10L), java.util.Arrays.stream(summary.sizes()).boxed().toList());
        SchemaContract.checkParquet(spark, "user_groups", path);
        Dataset<Row> back = spark.read().parquet(path);
        assertEquals(30, back.count());
        assertEquals(3, back.select("group_id").distinct().count());
    }

    @Test
    void invalidOptionsNameTheOption() {
        IllegalArgumentException alg = assertThrows(IllegalArgumentException.class, () -> ClusterOptions.fixed("dbscan", 3));
        assertTrue(alg.getMessage().contains("cluster.algorithm 'dbscan'"), alg.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> ClusterOptions.bySilhouette(ClusterOptions.KMEANS, 1, 4));
        assertTrue(range.getMessage().contains("cluster.k-range"), range.getMessage());
        IllegalArgumentException temp = assertThrows(IllegalArgumentException.class,
                () -> new ClusterOptions(ClusterOptions.KMEANS, 3, 0, 0, 0, 10, 1));
        assertTrue(temp.getMessage().contains("cluster.temperature"), temp.getMessage());
    }
}
