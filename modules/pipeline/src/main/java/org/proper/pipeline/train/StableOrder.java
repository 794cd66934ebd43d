package org.proper.pipeline.train;

import static org.apache.spark.sql.functions.col;

import java.util.Arrays;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Rows laid out independently of the order in which Parquet files were listed: hash-partitioned by the first key,
 * sorted within partitions by all keys. Order-sensitive MLlib fits (k-means|| sampling, floating-point aggregation)
 * then see the same input on every re-run of a run id.
 */
public final class StableOrder {
    private StableOrder() {}

    public static Dataset<Row> of(Dataset<Row> ds, String... keys) {
        Column[] sort = Arrays.stream(keys).map(k -> col(k)).toArray(Column[]::new);
        int partitions = Integer.parseInt(ds.sparkSession().conf().get("spark.sql.shuffle.partitions"));
        return ds.repartition(partitions, col(keys[0])).sortWithinPartitions(sort);
    }
}
