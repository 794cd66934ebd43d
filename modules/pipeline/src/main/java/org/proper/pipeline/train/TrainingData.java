package org.proper.pipeline.train;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.proper.model.lm.Example;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.run.RunLayout;

import scala.Tuple2;

/**
 * The run's training examples as RDDs, encoded on the executors. Partitioning is by a hash of the user and item
 * (not arrival order), and each partition is sorted, so a retried or re-run task sees exactly the same examples.
 */
public final class TrainingData {
    private TrainingData() {}

    /** A training example with its user's embedding and hard group (null where the stage does not need them). */
    public record Row3(Example example, float[] embedding, int group) implements java.io.Serializable {}

    public static Dataset<Row> trainRows(RunContext ctx) {
        return ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS))
                .filter(col("split").equalTo("train"))
                .select("user_id", "item_id", "input", "output");
    }

    /** Training examples, deterministically partitioned into {@code partitions}. */
    public static JavaRDD<Example> examples(RunContext ctx, ExampleEncoder enc, int partitions) {
        JavaPairRDD<String, Example> keyed = trainRows(ctx).javaRDD().mapToPair(r ->
                new Tuple2<>(r.getString(0) + "\u0000" + r.getString(1), enc.encode(r.getString(0), r.getString(2), r.getString(3))));
        return keyed.partitionBy(new HashPartitioner(partitions)).mapPartitions(it -> sortedValues(it).iterator(), true);
    }

    /** Training rows joined with user_embeddings and user_groups: (user, item) -> example + embedding + group. */
    public static JavaPairRDD<String, Row3> examplesWithGroups(RunContext ctx, ExampleEncoder enc) {
        return examplesWithGroups(ctx, enc, null);
    }

    /** As {@link #examplesWithGroups(RunContext, ExampleEncoder)}, for the users in {@code onlyUsers} (user_id) only. */
    public static JavaPairRDD<String, Row3> examplesWithGroups(RunContext ctx, ExampleEncoder enc, Dataset<Row> onlyUsers) {
        Dataset<Row> emb = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_EMBEDDINGS)).select("user_id", "embedding");
        Dataset<Row> groups = ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.USER_GROUPS)).select("user_id", "group_id");
        Dataset<Row> rows = onlyUsers == null ? trainRows(ctx) : trainRows(ctx).join(onlyUsers, "user_id", "left_semi");
        Dataset<Row> joined = rows.join(emb, "user_id").join(groups, "user_id");
        return joined.javaRDD().mapToPair(r -> {
            String user = r.getAs("user_id");
            List<Float> e = r.getList(r.fieldIndex("embedding"));
            float[] v = new float[e.size()];
            for (int i = 0; i < v.length; i++) v[i] = e.get(i);
            Example ex = enc.encode(user, r.getAs("input"), r.getAs("output"));
            return new Tuple2<>(user + "\u0000" + r.getAs("item_id"), new Row3(ex, v, (Integer) r.getAs("group_id")));
        });
    }

    /** A stable hash of (key, seed) mapped to [0, 1): deterministic sampling that survives retries and re-runs. */
    public static double unitHash(String key, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (int i = 0; i < key.length(); i++) {
            h ^= key.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** Sorts a partition's keyed rows by key, for determinism. */
    public static <T> List<T> sortedValues(java.util.Iterator<Tuple2<String, T>> it) {
        List<Tuple2<String, T>> all = new ArrayList<>();
        it.forEachRemaining(all::add);
        all.sort((a, b) -> a._1().compareTo(b._1()));
        List<T> out = new ArrayList<>(all.size());
        for (Tuple2<String, T> t : all) out.add(t._2());
        return out;
    }
}
