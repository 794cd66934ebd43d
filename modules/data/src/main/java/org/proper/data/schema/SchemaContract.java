package org.proper.data.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.avro.Schema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The data contract of DESIGN §5: one Avro schema per table in {@code data-schemas/<table>.avsc}.
 *
 * <p>Schemas are loaded from the classpath ({@code schemas/<table>.avsc}, packaged into proper-data), else from the
 * folder named by the system property {@value #SCHEMAS_DIR_PROPERTY}, else from a {@code data-schemas/} folder found by
 * walking up from the working directory.
 *
 * <p>Comparison rules: column names (exact, any order, no extra or missing columns), types (Avro string/long/int/
 * double/float/bytes/array map to Spark StringType/LongType/IntegerType/DoubleType/FloatType/BinaryType/ArrayType) and
 * top-level nullability (a column the contract declares non-null must not be nullable; a nullable contract column may be
 * written non-nullable). Array element nullability is not compared: Spark marks it nullable after most transformations.
 */
public final class SchemaContract {

    public static final String SCHEMAS_DIR_PROPERTY = "proper.schemas.dir";
    public static final List<String> TABLES =
            List.of("interactions", "quarantine", "user_embeddings", "user_groups", "adapters", "metrics", "user_changes");

    private static final Map<String, StructType> CACHE = new ConcurrentHashMap<>();

    private SchemaContract() {}

    /** The contract of {@code table} as a Spark schema (nullability as the contract says). */
    public static StructType sparkSchema(String table) {
        return CACHE.computeIfAbsent(table, t -> toSpark(avroSchema(t)));
    }

    /** The contract of {@code table} as parsed Avro. */
    public static Schema avroSchema(String table) {
        if (table == null || !TABLES.contains(table)) {
            throw new IllegalArgumentException("Cannot load schema for table '" + table + "': not one of " + TABLES);
        }
        String file = table + ".avsc";
        try (InputStream in = SchemaContract.class.getClassLoader().getResourceAsStream("schemas/" + file)) {
            if (in != null) {
                return new Schema.Parser().parse(in);
            }
            Path path = schemasDir().resolve(file);
            if (!Files.isRegularFile(path)) {
                throw new IllegalStateException("Cannot load schema for table '" + table + "': " + path + " does not exist");
            }
            return new Schema.Parser().parse(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot load schema for table '" + table + "': " + e.getMessage(), e);
        }
    }

    /** Throws {@link SchemaMismatchException} listing every difference between {@code actual} and the contract. */
    public static void check(String table, StructType actual) {
        List<String> problems = differences(table, actual);
        if (!problems.isEmpty()) {
            throw new SchemaMismatchException("Table '" + table + "' does not match data-schemas/" + table + ".avsc: "
                    + String.join("; ", problems));
        }
    }

    /**
     * Checks the schema Spark recorded in the footer of a Parquet part file under {@code tableDir} (reading the data
     * back would mark every column nullable, so the footer is the truthful source).
     */
    public static void checkParquet(SparkSession spark, String table, String tableDir) {
        check(table, ParquetFooterSchema.read(spark, tableDir));
    }

    /**
     * Returns {@code df} with exactly the contract's columns, in the contract's order and with its nullability. A null
     * in a non-null column then fails at write time instead of silently entering the table.
     */
    public static Dataset<Row> conform(String table, Dataset<Row> df) {
        StructType contract = sparkSchema(table);
        List<org.apache.spark.sql.Column> cols = new ArrayList<>();
        for (StructField f : contract.fields()) {
            if (!List.of(df.columns()).contains(f.name())) {
                throw new SchemaMismatchException("Cannot conform to table '" + table + "': column '" + f.name() + "' missing");
            }
            cols.add(functions.col(f.name()).cast(withNullableElements(f.dataType())).as(f.name()));
        }
        Dataset<Row> selected = df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
        return df.sparkSession().createDataFrame(selected.rdd(), contract);
    }

    static List<String> differences(String table, StructType actual) {
        StructType contract = sparkSchema(table);
        List<String> problems = new ArrayList<>();
        for (StructField want : contract.fields()) {
            if (!List.of(actual.fieldNames()).contains(want.name())) {
                problems.add("field '" + want.name() + "' is missing (expected " + describe(want) + ")");
                continue;
            }
            StructField got = actual.apply(want.name());
            if (!sameType(want.dataType(), got.dataType())) {
                problems.add("field '" + want.name() + "' has type " + got.dataType().simpleString()
                        + ", expected " + want.dataType().simpleString());
            }
            if (!want.nullable() && got.nullable()) {
                problems.add("field '" + want.name() + "' is nullable, expected not null");
            }
        }
        for (StructField got : actual.fields()) {
            if (!List.of(contract.fieldNames()).contains(got.name())) {
                problems.add("field '" + got.name() + "' is not in the contract");
            }
        }
        return problems;
    }

    private static DataType withNullableElements(DataType t) {
        return t instanceof ArrayType a ? DataTypes.createArrayType(withNullableElements(a.elementType()), true) : t;
    }

    private static boolean sameType(DataType want, DataType got) {
        if (want instanceof ArrayType wa && got instanceof ArrayType ga) {
            return sameType(wa.elementType(), ga.elementType());
        }
        return want.equals(got);
    }

    private static String describe(StructField f) {
        return f.dataType().simpleString() + (f.nullable() ? " nullable" : " not null");
    }

    private static StructType toSpark(Schema record) {
        List<StructField> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            Schema s = f.schema();
            boolean nullable = false;
            if (s.getType() == Schema.Type.UNION) {
                List<Schema> nonNull = s.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).toList();
                nullable = nonNull.size() < s.getTypes().size();
                if (nonNull.size() != 1) {
                    throw new IllegalStateException("Cannot map field '" + f.name() + "' of " + record.getName()
                            + ": only [null, T] unions are supported");
                }
                s = nonNull.get(0);
            }
            fields.add(DataTypes.createStructField(f.name(), toSpark(s, f.name()), nullable));
        }
        return DataTypes.createStructType(fields);
    }

    private static DataType toSpark(Schema s, String field) {
        return switch (s.getType()) {
            case STRING -> DataTypes.StringType;
            case LONG -> DataTypes.LongType;
            case INT -> DataTypes.IntegerType;
            case DOUBLE -> DataTypes.DoubleType;
            case FLOAT -> DataTypes.FloatType;
            case BOOLEAN -> DataTypes.BooleanType;
            case BYTES -> DataTypes.BinaryType;
            case ARRAY -> DataTypes.createArrayType(toSpark(s.getElementType(), field), false);
            default -> throw new IllegalStateException(
                    "Cannot map field '" + field + "': Avro type " + s.getType() + " is not supported");
        };
    }

    private static Path schemasDir() {
        String prop = System.getProperty(SCHEMAS_DIR_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("data-schemas");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Cannot find data-schemas/: not on the classpath, system property "
                + SCHEMAS_DIR_PROPERTY + " unset, and no data-schemas/ folder above " + Paths.get("").toAbsolutePath());
    }
}
