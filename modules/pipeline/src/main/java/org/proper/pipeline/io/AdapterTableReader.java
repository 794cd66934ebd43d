package org.proper.pipeline.io;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.util.Arrays;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads a run's adapters table with Spark, verifying every tensor's sha256 (and dtype and byte length against its
 * shape) as it is read; a mismatch fails the job with an {@link AdapterIntegrityException} naming the Parquet file.
 */
public final class AdapterTableReader {
    private static final String FILE = "_file";

    private final SparkSession spark;

    public AdapterTableReader(SparkSession spark) {
        this.spark = spark;
    }

    /** The raw table (all columns of {@link AdapterTableSchema#SCHEMA}, {@code shard} from the directory), unverified. */
    public Dataset<Row> rows(String tableUri) {
        return spark.read().schema(AdapterTableSchema.SCHEMA).parquet(tableUri);
    }

    /** Every tensor of the table, verified lazily as the RDD is computed. */
    public JavaRDD<TensorRecord> read(String tableUri) {
        return rows(tableUri).withColumn(FILE, input_file_name()).javaRDD().map(row -> {
            verify(row);
            return AdapterTableSchema.toRecord(row);
        });
    }

    /** The tensors of one level (e.g. "group"), verified. */
    public JavaRDD<TensorRecord> readLevel(String tableUri, String level) {
        return rows(tableUri).where(col("level").equalTo(level)).withColumn(FILE, input_file_name()).javaRDD().map(row -> {
            verify(row);
            return AdapterTableSchema.toRecord(row);
        });
    }

    /** Reads and verifies the whole table; returns the number of tensors checked. */
    public long verifyAll(String tableUri) {
        return rows(tableUri).withColumn(FILE, input_file_name()).javaRDD().map(row -> {
            verify(row);
            return 1L;
        }).count();
    }

    static void verify(Row row) {
        String file = row.getString(row.fieldIndex(FILE));
        String key = row.getString(row.fieldIndex("level")) + "/" + row.getString(row.fieldIndex("owner_id")) + "/"
                + row.getString(row.fieldIndex("module")) + "/" + row.getString(row.fieldIndex("tensor"));
        byte[] bytes = (byte[]) row.get(row.fieldIndex("bytes"));
        String expected = row.getString(row.fieldIndex("sha256"));
        verify(file, key, row.getString(row.fieldIndex("dtype")),
                row.getList(row.fieldIndex("shape")).stream().mapToInt(o -> ((Integer) o)).toArray(), bytes, expected);
    }

    /** Checks one tensor; shared with serving, which reads without Spark. */
    public static void verify(String file, String key, String dtype, int[] shape, byte[] bytes, String expectedSha256) {
        if (!TensorBytes.DTYPE.equals(dtype)) {
            throw new AdapterIntegrityException(file, key + " has dtype '" + dtype + "', expected " + TensorBytes.DTYPE);
        }
        long elements = 1;
        for (int d : shape) {
            elements *= d;
        }
        if (elements * Float.BYTES != bytes.length) {
            throw new AdapterIntegrityException(file, key + " has " + bytes.length + " bytes, shape " + Arrays.toString(shape)
                    + " needs " + elements * Float.BYTES);
        }
        String actual = TensorBytes.sha256(bytes);
        if (!actual.equals(expectedSha256)) {
            throw new AdapterIntegrityException(file, key + " sha256 is " + actual + ", stored " + expectedSha256);
        }
    }
}
