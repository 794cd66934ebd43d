package org.proper.pipeline.incremental;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.when;

import java.util.Map;
import java.util.TreeMap;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.proper.data.schema.SchemaContract;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.run.RunLayout;

/**
 * Which users changed since the parent run: the {@code user_changes} table (data-schemas/user_changes.avsc) (user_id, change) with change one of
 * {@value #UNCHANGED}, {@value #CHANGED}, {@value #NEW}, for every user of this run ({@value #REMOVED} users, in the
 * parent only, are counted, not written).
 *
 * <p>A user's fingerprint is the sha256 of what its adapter and embedding are computed from: its sorted training rows
 * (item_id, input, output); for a user without training rows (cold start, embedded from its queries), its sorted
 * query inputs. A user is unchanged when its fingerprint equals the parent's. Computed with Spark on the executors;
 * the driver sees only the counts per change.
 */
public final class UserChanges {
    public static final String TABLE = "user_changes";
    public static final String UNCHANGED = "unchanged";
    public static final String CHANGED = "changed";
    public static final String NEW = "new";
    public static final String REMOVED = "removed";

    private static final String UNIT = "\u001f";
    private static final String RECORD = "\u001e";

    private UserChanges() {}

    /** (user_id, fingerprint) of every user in an interactions table. */
    public static Dataset<Row> fingerprints(Dataset<Row> interactions) {
        Column train = col("split").equalTo("train");
        Dataset<Row> lists = interactions.groupBy("user_id").agg(
                sort_array(collect_list(when(train, concat_ws(UNIT, col("item_id"), coalesce(col("input"), lit("")),
                        coalesce(col("output"), lit("")))))).as("t"),
                sort_array(collect_list(when(train.unary_$bang(), coalesce(col("input"), lit(""))))).as("q"));
        Column text = when(size(col("t")).gt(0), concat(lit("T"), concat_ws(RECORD, col("t"))))
                .otherwise(concat(lit("Q"), concat_ws(RECORD, col("q"))));
        return lists.select(col("user_id"), sha2(text, 256).as("fingerprint"));
    }

    /** Compares this run's interactions with the parent's, writes user_changes and returns the users per change. */
    public static Map<String, Long> write(RunContext ctx, RunLayout parent) {
        Dataset<Row> now = fingerprints(ctx.spark().read().parquet(ctx.layout().tableUri(RunLayout.INTERACTIONS)));
        Dataset<Row> before = fingerprints(ctx.spark().read().parquet(parent.tableUri(RunLayout.INTERACTIONS)))
                .withColumnRenamed("fingerprint", "parent_fingerprint");
        Dataset<Row> joined = now.join(before, now.col("user_id").equalTo(before.col("user_id")), "full_outer")
                .select(coalesce(now.col("user_id"), before.col("user_id")).as("user_id"),
                        when(col("fingerprint").isNull(), lit(REMOVED))
                                .when(col("parent_fingerprint").isNull(), lit(NEW))
                                .when(col("fingerprint").equalTo(col("parent_fingerprint")), lit(UNCHANGED))
                                .otherwise(lit(CHANGED)).as("change"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            SchemaContract.conform(TABLE, joined.filter(col("change").notEqual(REMOVED)))
                    .repartition(col("user_id")).sortWithinPartitions("user_id").write().mode("overwrite").parquet(ctx.layout().tableUri(TABLE));
            Map<String, Long> counts = new TreeMap<>(Map.of(UNCHANGED, 0L, CHANGED, 0L, NEW, 0L, REMOVED, 0L));
            for (Row r : joined.groupBy("change").count().collectAsList()) counts.put(r.getString(0), r.getLong(1));
            return counts;
        } finally {
            joined.unpersist();
        }
    }

    /** This run's user_changes table. */
    public static Dataset<Row> read(RunContext ctx) {
        return ctx.spark().read().parquet(ctx.layout().tableUri(TABLE));
    }

    /** user_id of this run's users with the given change. */
    public static Dataset<Row> users(RunContext ctx, String change) {
        return read(ctx).filter(col("change").equalTo(change)).select("user_id");
    }

    /** user_id of this run's users that are new or changed. */
    public static Dataset<Row> newOrChanged(RunContext ctx) {
        return read(ctx).filter(col("change").notEqual(UNCHANGED)).select("user_id");
    }
}
