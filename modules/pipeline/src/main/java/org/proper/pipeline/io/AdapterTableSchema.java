package org.proper.pipeline.io;

import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The adapters table of DESIGN §5: one row per tensor, partitioned by {@code shard} (directories {@code shard=N}).
 * Files hold every column but {@code shard}, which comes from the directory name.
 */
public final class AdapterTableSchema {
    public static final String SHARD = "shard";

    /** Full table schema, column order as in data-schemas/adapters.avsc. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
            DataTypes.createStructField("level", DataTypes.StringType, false),
            DataTypes.createStructField("owner_id", DataTypes.StringType, false),
            DataTypes.createStructField("module", DataTypes.StringType, false),
            DataTypes.createStructField("tensor", DataTypes.StringType, false),
            DataTypes.createStructField("shape", DataTypes.createArrayType(DataTypes.IntegerType, false), false),
            DataTypes.createStructField("dtype", DataTypes.StringType, false),
            DataTypes.createStructField("bytes", DataTypes.BinaryType, false),
            DataTypes.createStructField("sha256", DataTypes.StringType, false),
            DataTypes.createStructField(SHARD, DataTypes.IntegerType, false)});

    private AdapterTableSchema() {}

    /** Encodes a record as a table row: float32 little-endian bytes, their sha256 and the owner's shard. */
    public static Row toRow(TensorRecord r, int numShards) {
        byte[] bytes = TensorBytes.encode(r.data());
        // a primitive int[] is what Spark's row encoder takes for array<int> (java.util.List is not accepted)
        return RowFactory.create(r.level(), r.ownerId(), r.module(), r.tensor(), r.shape().clone(), TensorBytes.DTYPE, bytes,
                TensorBytes.sha256(bytes), AdapterShards.shardOf(r.ownerId(), numShards));
    }

    /** Decodes a row (already verified) back into a record. */
    public static TensorRecord toRecord(Row row) {
        List<Integer> shapeList = row.getList(row.fieldIndex("shape"));
        int[] shape = shapeList.stream().mapToInt(Integer::intValue).toArray();
        float[] data = TensorBytes.decode((byte[]) row.get(row.fieldIndex("bytes")));
        return new TensorRecord(row.getString(row.fieldIndex("level")), row.getString(row.fieldIndex("owner_id")),
                row.getString(row.fieldIndex("module")), row.getString(row.fieldIndex("tensor")), shape, data);
    }
}
