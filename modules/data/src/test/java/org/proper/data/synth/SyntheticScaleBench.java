package org.proper.data.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.proper.data.LocalSpark;
import org.proper.data.ingest.Ingest;
import org.proper.data.ingest.IngestOptions;
import org.proper.data.ingest.IngestResult;

/**
 * Opt-in measurement (not part of the normal suite): generate and ingest many synthetic users, print wall times and
 * the driver's heap. Run: mvn -o -pl modules/data test -Dtest=SyntheticScaleBench -Dproper.bench.users=100000
 */
class SyntheticScaleBench {

    @Test
    void generateAndIngestManyUsers(@TempDir Path tmp) {
        long users = Long.getLong("proper.bench.users", 0);
        assumeTrue(users > 0, "set -Dproper.bench.users=N to run the scale measurement");
        SparkSession spark = LocalSpark.start("synthetic-scale-bench");
        try {
            long t0 = System.nanoTime();
            SyntheticResult gen = SyntheticGenerator.generate(spark, SyntheticOptions.defaults(users, 1), tmp.resolve("s").toString());
            long t1 = System.nanoTime();
            IngestResult r = Ingest.run(spark, IngestOptions.lamp(tmp.resolve("s").toString(), tmp.resolve("run").toString()));
            long t2 = System.nanoTime();
            Runtime rt = Runtime.getRuntime();
            System.out.printf("BENCH users=%d profileItems=%d generate=%.1fs ingest=%.1fs accepted=%d driverHeapUsed=%dMB%n",
                    users, gen.profileItems(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, r.accepted(),
                    (rt.totalMemory() - rt.freeMemory()) >> 20);
            assertEquals(users, r.users());
            assertEquals(gen.profileItems(), r.rows("train"));
        } finally {
            spark.stop();
        }
    }
}
