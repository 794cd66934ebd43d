package org.proper.pipeline.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.proper.pipeline.cluster.ClusterOptions;
import org.proper.pipeline.cluster.UserClusterer;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.UserEmbedder;

class SparkJobGroupTest {
    @Test
    void jobsInsideTheGroupCarryItsReadableDescriptionAndLaterJobsDoNot() throws Exception {
        SparkSession spark = LocalSpark.start("SparkJobGroupTest");
        try {
            List<String> descriptions = new CopyOnWriteArrayList<>();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onJobStart(SparkListenerJobStart jobStart) {
                    descriptions.add(String.valueOf(jobStart.properties().getProperty("spark.job.description")));
                }
            });
            String description = new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 32)).description();
            assertEquals("Embedding users (tfidf-pca, dim 32)", description);
            try (SparkJobGroup group = SparkJobGroup.open(spark, "embed", description)) {
                spark.range(10).count();
                group.describe("Clustering users (kmeans, K=5)");
                spark.range(10).count();
            }
            assertNull(spark.sparkContext().getLocalProperty("spark.jobGroup.id"));
            spark.range(10).count();
            for (int i = 0; i < 100 && !descriptions.contains("null"); i++) {
                Thread.sleep(100); // the listener bus is asynchronous
            }
            // a count may run as more than one job: compare the sequence of distinct consecutive descriptions
            List<String> distinct = new java.util.ArrayList<>();
            for (String d : descriptions) {
                if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(d)) {
                    distinct.add(d);
                }
            }
            assertEquals(List.of(description, "Clustering users (kmeans, K=5)", "null"), distinct);
            assertEquals("Clustering users (kmeans, K in 2..8 by silhouette)",
                    new UserClusterer(ClusterOptions.bySilhouette(ClusterOptions.KMEANS, 2, 8)).description());
        } finally {
            spark.stop();
        }
    }
}
