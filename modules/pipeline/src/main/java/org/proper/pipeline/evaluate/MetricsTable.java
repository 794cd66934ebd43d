package org.proper.pipeline.evaluate;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.proper.eval.report.MetricRow;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.run.RunLayout;

/** The run's metrics table (DESIGN §5): method, scope, bucket, user_id, metric, value, n. */
public final class MetricsTable {
    public static final StructType SCHEMA = new StructType()
            .add("method", DataTypes.StringType, false)
            .add("scope", DataTypes.StringType, false)
            .add("bucket", DataTypes.StringType, true)
            .add("user_id", DataTypes.StringType, true)
            .add("metric", DataTypes.StringType, false)
            .add("value", DataTypes.DoubleType, false)
            .add("n", DataTypes.LongType, false);

    private MetricsTable() {}

    public static void write(RunContext ctx, JavaRDD<MetricRow> rows) {
        JavaRDD<Row> r = rows.map(m -> RowFactory.create(m.method(), m.scope(), m.bucket(), m.userId(), m.metric(), m.value(), m.n()));
        ctx.spark().createDataFrame(r, SCHEMA).coalesce(Math.max(1, r.getNumPartitions() / 4)).write().mode("overwrite")
                .parquet(ctx.layout().tableUri(RunLayout.METRICS));
    }
}
