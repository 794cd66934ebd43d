package org.proper.pipeline.run;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.nio.file.Files;
import java.util.Locale;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.pipeline.cluster.ClusterOptions;
import org.proper.pipeline.cluster.ClusterSummary;
import org.proper.pipeline.cluster.UserClusterer;
import org.proper.pipeline.embed.EmbedOptions;
import org.proper.pipeline.embed.UserEmbedder;

/**
 * Benchmark of the embed and cluster stages (issue 4): N synthetic users with G planted groups and Pareto history
 * lengths, generated on the executors with Spark SQL (no user passes through the driver), embedded with tfidf-pca
 * and clustered with k-means in local[2]. Prints time per stage, purity against the planted groups and the JVM's
 * peak heap (in local mode driver and executors share this heap, so it bounds the driver's).
 *
 * <pre>java -Xmx1g [Spark's --add-opens flags] -cp … org.proper.pipeline.run.EmbedClusterBenchmark [users] [groups] [dir]</pre>
 */
public final class EmbedClusterBenchmark {
    private EmbedClusterBenchmark() {}

    public static void main(String[] args) throws Exception {
        long users = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String dir = args.length > 2 ? args[2] : Files.createTempDirectory("proper-bench").toString();
        SparkSession spark = SparkSession.builder().appName("EmbedClusterBenchmark").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "16")
                .getOrCreate();
        try {
            run(spark, users, groups, dir);
        } finally {
            spark.stop();
        }
    }

    static void run(SparkSession spark, long users, int groups, String dir) {
        try (HeapWatch heap = new HeapWatch()) {
            stages(spark, users, groups, dir, heap);
        }
    }

    private static void stages(SparkSession spark, long users, int groups, String dir, HeapWatch heap) {
        long t0 = System.nanoTime();
        String interactionsPath = dir + "/interactions";
        syntheticInteractions(spark, users, groups).write().mode("overwrite").parquet(interactionsPath);
        Dataset<Row> interactions = spark.read().parquet(interactionsPath);
        long rows = interactions.count();
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "BENCH generate+write interactions: %.1f s (%d rows)%n", (t1 - t0) / 1e9, rows);

        String embeddingsPath = dir + "/user_embeddings";
        new UserEmbedder(EmbedOptions.of(UserEmbedder.TFIDF_PCA, 32)).write(interactions, embeddingsPath);
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "BENCH embed: %.1f s%n", (t2 - t1) / 1e9);

        String groupsPath = dir + "/user_groups";
        ClusterSummary summary = new UserClusterer(ClusterOptions.fixed(ClusterOptions.KMEANS, groups))
                .write(spark.read().parquet(embeddingsPath), groupsPath);
        long t3 = System.nanoTime();

        double purity = purity(spark.read().parquet(groupsPath), groups, users);
        System.out.printf(Locale.ROOT, "users=%d interactions=%d groups=%d%n", users, rows, groups);
        System.out.printf(Locale.ROOT, "generate+write interactions: %.1f s%n", (t1 - t0) / 1e9);
        System.out.printf(Locale.ROOT, "embed (tfidf-pca, dim 32, 1024 features): %.1f s%n", (t2 - t1) / 1e9);
        System.out.printf(Locale.ROOT, "cluster (kmeans k-means||, K=%d): %.1f s, silhouette %.4f, sizes %s%n",
                groups, (t3 - t2) / 1e9, summary.silhouette(), java.util.Arrays.toString(summary.sizes()));
        System.out.printf(Locale.ROOT, "purity vs planted groups: %.4f%n", purity);
        System.out.printf(Locale.ROOT, "heap: max in use %.0f MiB (sampled, incl. garbage), max live after GC %.0f MiB, -Xmx %.0f MiB%n",
                heap.maxUsedBytes() / 1048576.0, heap.maxAfterGcBytes() / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
    }

    /**
     * Interactions with the contract's columns: user "u{id}" belongs to group pmod(hash(id), G), has
     * min(100, floor(U^(-1/1.5))) train rows (Pareto, α = 1.5: most users have 1–2, a few 100) and one test row;
     * 3 in 4 words come from the group's own 12-word vocabulary. Deterministic (hash-based, no rand()).
     */
    public static Dataset<Row> syntheticInteractions(SparkSession spark, long users, int groups) {
        String word = "if(pmod(hash(id, i, k, 1), 4) < 3, concat('grp', g, 'w', pmod(hash(id, i, k, 2), 12)), "
                + "concat('common', pmod(hash(id, i, k, 3), 40)))";
        return spark.range(users)
                .withColumn("g", expr("pmod(hash(id), " + groups + ")"))
                .withColumn("n", expr("cast(least(100, floor(pow((pmod(hash(id, 7), 1000000) + 1) / 1000001.0, -1 / 1.5))) as int)"))
                .withColumn("i", expr("explode(sequence(0, n))"))
                .select(expr("concat('u', id)").as("user_id"), expr("concat('u', id, '-', i)").as("item_id"),
                        expr("'synthetic'").as("task"), expr("'generation'").as("kind"),
                        expr("concat_ws(' ', transform(sequence(1, 8), k -> " + word + "))").as("input"),
                        expr("concat_ws(' ', transform(sequence(9, 11), k -> " + word + "))").as("output"),
                        expr("cast(null as long)").as("timestamp"), expr("if(i < n, 'train', 'test')").as("split"),
                        expr("'synthetic'").as("source"), col("id").multiply(101).plus(col("i")).as("position"));
    }

    private static double purity(Dataset<Row> userGroups, int groups, long users) {
        Dataset<Row> joined = userGroups.select(col("group_id"), expr("pmod(hash(cast(substring(user_id, 2) as long)), " + groups + ")").as("g"));
        Row r = joined.groupBy("group_id", "g").count().groupBy("group_id").agg(expr("max(count)").as("m"))
                .agg(expr("sum(m)")).first();
        return r.getLong(0) / (double) users;
    }
}
