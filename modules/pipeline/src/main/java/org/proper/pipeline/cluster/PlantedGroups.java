package org.proper.pipeline.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.OptionalDouble;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.eval.metrics.AdjustedRandIndex;

/**
 * Agreement of the recovered groups with the groups planted by the synthetic generator, whose truth table
 * ({@code users/}: user_id, planted_group) sits beside the generated data. Only the K × G contingency counts reach the
 * driver.
 */
public final class PlantedGroups {
    /** The generator's truth table, relative to the data directory. */
    public static final String TRUTH_TABLE = "users";

    private PlantedGroups() {}

    /** @return the ARI of user_groups.group_id vs planted_group, or empty when the input has no truth table */
    public static OptionalDouble adjustedRandIndex(SparkSession spark, String dataDir, Dataset<Row> userGroups) {
        Path truth = new Path(dataDir, TRUTH_TABLE);
        try {
            if (!truth.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(new Path(truth, "_SUCCESS"))) {
                return OptionalDouble.empty();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot check for planted groups in " + truth + ": " + e.getMessage(), e);
        }
        List<Row> cells = userGroups.select("user_id", "group_id")
                .join(spark.read().parquet(truth.toString()).select("user_id", "planted_group"), "user_id")
                .groupBy("group_id", "planted_group").count().collectAsList();
        if (cells.isEmpty()) return OptionalDouble.empty();
        int k = 0, g = 0;
        for (Row r : cells) {
            k = Math.max(k, r.getInt(0) + 1);
            g = Math.max(g, r.getInt(1) + 1);
        }
        long[][] counts = new long[k][g];
        for (Row r : cells) counts[r.getInt(0)][r.getInt(1)] = r.getLong(2);
        return OptionalDouble.of(AdjustedRandIndex.of(counts));
    }
}
