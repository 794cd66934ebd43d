package org.proper.pipeline;

import java.util.Map;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;

import com.typesafe.config.ConfigValue;

/** Builds the SparkSession of a run from the configuration. Under spark-submit the submitted master wins. */
public final class SparkSessions {
    private SparkSessions() {}

    /**
     * Spark MLlib's LAPACK (the PCA's eigensolver in the embed stage) loads the host's liblapack.so.3 when there is one,
     * and on the same users an OpenBLAS LAPACK gave other components than MLlib's bundled Java LAPACK (planted test
     * groups no longer separated). Unless the user names a native library, the driver uses the Java one: the same
     * embeddings and groups on every machine. Read once, at MLlib's first LAPACK call.
     */
    static final String LAPACK_LIBRARY = "dev.ludovic.netlib.lapack.nativeLib";
    /** A library name that loads nothing, so MLlib falls back to its Java LAPACK (the value conf/jvm.flags gives too). */
    static final String JAVA_LAPACK_ONLY = "java-lapack-only";

    public static SparkSession create(ProperConfig config) {
        if (System.getProperty(LAPACK_LIBRARY) == null) System.setProperty(LAPACK_LIBRARY, JAVA_LAPACK_ONLY);
        SparkConf conf = new SparkConf(true); // picks up spark.* system properties set by spark-submit
        if (!conf.contains("spark.master")) {
            String master = config.getString("proper.spark.master");
            conf.setMaster(master);
            if (master.startsWith("local")) {
                conf.setIfMissing("spark.driver.host", "127.0.0.1");
                conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
                conf.setIfMissing("spark.ui.enabled", "false");
            }
        }
        conf.setIfMissing("spark.app.name", config.getString("proper.spark.app-name"));
        conf.setIfMissing("spark.sql.shuffle.partitions", config.getString("proper.spark.shuffle-partitions"));
        conf.setIfMissing("spark.task.maxFailures", "4");
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
        for (Map.Entry<String, ConfigValue> e : config.raw().getConfig("proper.spark.conf").entrySet()) {
            String key = e.getKey().replace("\"", "");
            conf.set(key, String.valueOf(e.getValue().unwrapped()));
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
