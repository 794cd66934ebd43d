package org.proper.data.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;

/** conform() turns a derived (all-nullable) DataFrame into the contract's schema; a real null then fails the write. */
class SchemaConformTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("schema-conform");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static final StructType LOOSE = new StructType()
            .add("method", DataTypes.StringType).add("user_id", DataTypes.StringType)
            .add("embedding", DataTypes.createArrayType(DataTypes.DoubleType)); // double: conform casts to float

    @Test
    void conformedTableWritesAndPassesTheFooterCheck(@TempDir Path tmp) {
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("tfidf", "u1", new double[] {0.6, 0.8})), LOOSE);
        assertThrows(SchemaMismatchException.class, () -> SchemaContract.check("user_embeddings", df.schema()));
        Dataset<Row> ok = SchemaContract.conform("user_embeddings", df);
        SchemaContract.check("user_embeddings", ok.schema());
        assertEquals(List.of("user_id", "embedding", "method"), List.of(ok.columns()));
        ok.write().parquet(tmp.resolve("e").toString());
        SchemaContract.checkParquet(spark, "user_embeddings", tmp.resolve("e").toString());
        assertFalse(spark.read().parquet(tmp.resolve("e").toString()).isEmpty());
    }

    @Test
    void nullInANonNullColumnFailsTheWrite(@TempDir Path tmp) {
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("tfidf", null, new double[] {1.0})), LOOSE);
        Exception e = assertThrows(Exception.class,
                () -> SchemaContract.conform("user_embeddings", df).write().parquet(tmp.resolve("e").toString()));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        assertTrue(chain.toString().contains("'user_id' of input row cannot be null"), chain.toString());
    }

    @Test
    void missingColumnIsNamed() {
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("tfidf", "u1", new double[] {1.0})), LOOSE)
                .drop("method");
        SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
                () -> SchemaContract.conform("user_embeddings", df));
        assertTrue(e.getMessage().contains("'method'"), e.getMessage());
    }
}
