package org.proper.data.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SchemaContractTest {

    @Test
    void everyTableLoadsFromTheClasspathWithDocumentedFields() {
        for (String table : SchemaContract.TABLES) {
            var avro = SchemaContract.avroSchema(table);
            assertFalse(avro.getFields().isEmpty(), table);
            avro.getFields().forEach(f -> assertTrue(f.doc() != null && !f.doc().isBlank(), table + "." + f.name() + " has no doc"));
        }
        assertEquals(9, SchemaContract.sparkSchema("adapters").size());
    }

    @Test
    void interactionsContractMapsNullabilityAndTypes() {
        StructType s = SchemaContract.sparkSchema("interactions");
        assertFalse(s.apply("user_id").nullable());
        assertTrue(s.apply("timestamp").nullable());
        assertEquals(DataTypes.LongType, s.apply("position").dataType());
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false),
                SchemaContract.sparkSchema("user_embeddings").apply("embedding").dataType());
    }

    @Test
    void matchingSchemaPassesEvenWithNullableArrayElements() {
        StructType ok = new StructType()
                .add("user_id", DataTypes.StringType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, true), false)
                .add("method", DataTypes.StringType, false);
        SchemaContract.check("user_embeddings", ok);
    }

    @Test
    void mismatchNamesTableFieldAndProblem() {
        StructType bad = new StructType()
                .add("user_id", DataTypes.StringType, true)                           // nullable, contract says not
                .add("embedding", DataTypes.createArrayType(DataTypes.DoubleType), false) // double, contract float
                .add("extra", DataTypes.StringType, false);                            // not in contract; method missing
        SchemaMismatchException e = assertThrows(SchemaMismatchException.class,
                () -> SchemaContract.check("user_embeddings", bad));
        String m = e.getMessage();
        assertTrue(m.contains("'user_embeddings'"), m);
        assertTrue(m.contains("field 'user_id' is nullable, expected not null"), m);
        assertTrue(m.contains("field 'embedding' has type array<double>, expected array<float>"), m);
        assertTrue(m.contains("field 'method' is missing"), m);
        assertTrue(m.contains("field 'extra' is not in the contract"), m);
    }

    @Test
    void unknownTableIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SchemaContract.sparkSchema("users"));
        assertTrue(e.getMessage().contains("'users'"));
    }
}
