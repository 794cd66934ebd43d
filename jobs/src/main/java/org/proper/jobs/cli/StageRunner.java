package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.pipeline.Pipeline;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.SparkSessions;
import org.proper.pipeline.StageName;
import org.proper.pipeline.StageSummaries;
import org.proper.pipeline.Stages;

/** Opens the run's Spark session and runs the given stages of the pipeline. */
final class StageRunner {
    private StageRunner() {}

    static void printPlan(PrintWriter out, ProperConfig config, String runId, LocalDate runDate, List<StageName> stages) {
        out.printf("dry run: run %s (run date %s) in %s%n", runId, runDate, config.getString("proper.warehouse"));
        out.printf("  stages: %s%n", stages.stream().map(StageName::cliName).toList());
        out.printf("  input: %s (%s), config sha256 %s%n", config.getString("proper.data.input"),
                config.getString("proper.data.format"), config.sha256());
        String parent = config.getString("proper.incremental.parent-run");
        out.printf("  parent run: %s%s%n", parent.isEmpty() ? "none (a full run)" : parent,
                config.getBoolean("proper.data.until-run-date") ? ", interactions up to " + runDate : "");
    }

    /** @return the summaries of every completed stage of the run (also those completed by earlier invocations) */
    static Map<String, Map<String, Object>> run(ProperConfig config, String runId, LocalDate runDate,
                                                List<StageName> stages, boolean force,
                                                java.util.function.Consumer<SparkSession> before) throws Exception {
        SparkSession spark = SparkSessions.create(config);
        try {
            before.accept(spark);
            RunContext ctx = RunContext.open(spark, config, runId, runDate);
            new Pipeline(Stages.all()).run(ctx, stages, force);
            return StageSummaries.readAll(ctx);
        } finally {
            spark.stop();
        }
    }
}
