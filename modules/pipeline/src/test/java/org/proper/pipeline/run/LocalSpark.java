package org.proper.pipeline.run;

import org.apache.spark.sql.SparkSession;

/** The test SparkSession: local[2] (or the given master), no UI, loopback only, 4 shuffle partitions. */
public final class LocalSpark {
    private LocalSpark() {}

    public static SparkSession start(String appName) {
        return start(appName, "local[2]");
    }

    public static SparkSession start(String appName, String master) {
        return SparkSession.builder()
                .appName(appName)
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
