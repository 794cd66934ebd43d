package org.proper.data.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;
import org.proper.data.schema.SchemaContract;

/** Ingest of the two real data sets in ../shared/data; counts are those their READMEs state. */
class SharedDataIngestTest {

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start("shared-data-ingest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Path sharedData(String name) {
        String root = System.getProperty("proper.shared.data");
        Path dir = root == null ? null : Path.of(root, name);
        assumeTrue(dir != null && Files.isDirectory(dir),
                "shared data set " + name + " not found (system property proper.shared.data=" + root + "); skipping");
        return dir;
    }

    @Test
    void arrowComponentsHas266UsersAndTheReadmesProfileItems(@TempDir Path run) {
        IngestResult r = Ingest.run(spark, IngestOptions.lamp(sharedData("arrow-components").toString(), run.toString()));
        assertEquals("commit-component", r.mapping().task());
        assertEquals(266, r.users());
        assertEquals(0, r.quarantined());
        assertEquals(266, r.rows("dev"));
        assertEquals(266, r.rows("test"));
        // README: 14942 profile items in test = every train item + the dev query's item, each kept exactly once
        assertEquals(14942, r.rows("train") + r.rows("dev"));
        assertEquals(14942 - 266, r.rows("train"));
        assertEquals(r.accepted(), r.items()); // item ids are unique: no item is both a train row and a query
        assertEquals(r.candidates(), r.accepted() + r.merged());

        Dataset<Row> interactions = spark.read().parquet(run.resolve("interactions").toString());
        // train rows are exactly the dev profiles' items: the dev query's item (last of the test profile) is not one
        assertEquals(14942 - 266, interactions.filter(col("split").equalTo("train")).select("item_id").distinct().count());
        assertEquals(0, interactions.filter(col("timestamp").isNull().and(col("split").equalTo("train"))).count());
        SchemaContract.checkParquet(spark, "interactions", run.resolve("interactions").toString());
        SchemaContract.checkParquet(spark, "quarantine", run.resolve("quarantine").toString());
    }

    @Test
    void kafkaTitlesHas195Users(@TempDir Path run) {
        IngestResult r = Ingest.run(spark, IngestOptions.lamp(sharedData("kafka-titles").toString(), run.toString()));
        assertEquals("commit-title", r.mapping().task());
        assertEquals(195, r.users());
        assertEquals(0, r.quarantined());
        assertEquals(195, r.rows("test"));
        assertEquals(5596, r.rows("train") + r.rows("dev")); // README: 5596 profile items in test
        assertEquals(r.accepted(), r.items());
    }
}
