package org.proper.data;

import org.apache.spark.sql.SparkSession;

/** The test SparkSession: local[2], no UI, loopback only, 4 shuffle partitions. */
public final class LocalSpark {

    private LocalSpark() {}

    public static SparkSession start(String appName) {
        return SparkSession.builder()
                .appName(appName)
                .master("local[2]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
    }
}
