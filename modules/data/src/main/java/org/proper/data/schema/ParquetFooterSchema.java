package org.proper.data.schema;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Reads the Spark schema (with its nullability) that Spark's Parquet writer stores in a part file's footer. */
final class ParquetFooterSchema {

    static final String SPARK_ROW_METADATA = "org.apache.spark.sql.parquet.row.metadata";

    private ParquetFooterSchema() {}

    static StructType read(SparkSession spark, String tableDir) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path dir = new Path(tableDir);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            Path part = firstPart(fs, dir);
            StructType schema;
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(part, conf))) {
                String json = reader.getFooter().getFileMetaData().getKeyValueMetaData().get(SPARK_ROW_METADATA);
                if (json == null) {
                    throw new IllegalStateException("Cannot read schema of " + part + ": no Spark row metadata in footer");
                }
                schema = (StructType) DataType.fromJson(json);
            }
            // partition columns (e.g. shard=3/) live in directory names, not in the file
            for (Path p = part.getParent(); p != null && !p.equals(fs.makeQualified(dir)) && p.getName().contains("=");
                    p = p.getParent()) {
                String[] kv = p.getName().split("=", 2);
                DataType type = kv[1].matches("-?\\d{1,9}") ? DataTypes.IntegerType : DataTypes.StringType;
                schema = schema.add(kv[0], type, false);
            }
            return schema;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Parquet footer under " + tableDir + ": " + e.getMessage(), e);
        }
    }

    private static Path firstPart(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            throw new IllegalArgumentException("Cannot read schema: table directory " + dir + " does not exist");
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (st.isDirectory() && !name.startsWith("_") && !name.startsWith(".")) {
                try {
                    return firstPart(fs, st.getPath()); // partitioned table, e.g. shard=3/
                } catch (IllegalArgumentException ignored) {
                    // empty partition directory, try the next
                }
            } else if (name.endsWith(".parquet")) {
                return st.getPath();
            }
        }
        throw new IllegalArgumentException("Cannot read schema: no .parquet file under " + dir);
    }
}
