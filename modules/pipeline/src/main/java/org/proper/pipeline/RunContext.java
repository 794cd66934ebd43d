package org.proper.pipeline;

import java.time.LocalDate;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.run.StageMarkers;

/** Everything a stage needs: the session, the validated configuration and where the run lives. */
public record RunContext(SparkSession spark, ProperConfig config, RunLayout layout, LocalDate runDate) {

    public static RunContext open(SparkSession spark, ProperConfig config, String runId, LocalDate runDate) {
        return new RunContext(spark, config, RunLayout.of(config.getString("proper.warehouse"), runId), runDate);
    }

    public Configuration hadoopConf() {
        return spark.sparkContext().hadoopConfiguration();
    }

    public StageMarkers markers() {
        return new StageMarkers(layout, hadoopConf());
    }

    public String runId() {
        return layout.runId();
    }
}
