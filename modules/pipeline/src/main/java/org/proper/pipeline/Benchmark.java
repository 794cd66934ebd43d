package org.proper.pipeline;

import static org.apache.spark.sql.functions.col;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.Methods;
import org.proper.pipeline.run.RunLayout;
import org.proper.pipeline.run.StagedOutput;
import org.proper.pipeline.stages.EvaluateStage;
import org.proper.pipeline.train.ArtifactStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comparison of DESIGN §2/§3 on one data set, same split and seeds: the main run gives base, population,
 * user-majority, group-only and PROPER; each ablation (OPPU, hard clusters, fixed β, no diversity) is a fork of the
 * main run that redoes only the stages the ablation changes. The ablations' rows join the main run's metrics table
 * and comparison table, and the main run is then published with the full table in its report.
 */
public final class Benchmark {
    private static final Logger LOG = LoggerFactory.getLogger(Benchmark.class);

    /** An ablation: the method it is reported as, the last stage it shares with the main run, its switches. */
    public record Variant(String method, StageName sharedThrough, Map<String, String> overrides) {}

    public static final List<Variant> ABLATIONS = List.of(
            new Variant(Methods.OPPU, StageName.TRAIN_POPULATION, Map.of("proper.ablation.group-level", "false")),
            new Variant(Methods.PROPER_HARD_CLUSTERS, StageName.TRAIN_POPULATION, Map.of("proper.ablation.routing", "hard")),
            new Variant(Methods.PROPER_FIXED_BETA, StageName.TRAIN_GROUPS, Map.of("proper.ablation.lora-aware-router", "false")),
            new Variant(Methods.PROPER_NO_DIVERSITY, StageName.TRAIN_POPULATION, Map.of("proper.ablation.diversity", "false")));

    private Benchmark() {}

    public static ComparisonTable run(SparkSession spark, ProperConfig config, String runId, LocalDate runDate) throws Exception {
        Pipeline pipeline = new Pipeline(Stages.all());
        RunContext main = RunContext.open(spark, config, runId, runDate);
        pipeline.run(main, range(StageName.INGEST, StageName.EVALUATE), false);
        ArtifactStore store = new ArtifactStore(main.layout(), main.hadoopConf());
        ComparisonTable table = store.get(EvaluateStage.TABLE_ARTIFACT, ComparisonTable.class);
        List<ComparisonTable.Row> rows = new ArrayList<>(table.rows());
        Dataset<Row> metrics = spark.read().parquet(main.layout().tableUri(RunLayout.METRICS));
        for (Variant v : ABLATIONS) {
            if (table.row(v.method()) != null) continue; // the main run itself is this ablation
            String id = runId + "-" + v.method().toLowerCase(Locale.ROOT);
            LOG.info("Benchmark: ablation {} as run {} (shares stages through {})", v.method(), id, v.sharedThrough().cliName());
            RunForks.fork(main.layout(), id, v.sharedThrough(), main.hadoopConf());
            RunContext ctx = RunContext.open(spark, config.with(v.overrides()), id, runDate);
            pipeline.run(ctx, range(StageName.values()[v.sharedThrough().ordinal() + 1], StageName.EVALUATE), false);
            ComparisonTable vt = new ArtifactStore(ctx.layout(), ctx.hadoopConf()).get(EvaluateStage.TABLE_ARTIFACT, ComparisonTable.class);
            rows.add(vt.row(v.method()));
            metrics = metrics.unionByName(spark.read().parquet(ctx.layout().tableUri(RunLayout.METRICS))
                    .filter(col("method").equalTo(v.method())));
        }
        rows.sort((a, b) -> Methods.TABLE_ORDER.compare(a.method(), b.method()));
        ComparisonTable full = new ComparisonTable(table.dataset(), table.task(), table.buckets(), rows);

        StagedOutput out = StagedOutput.begin(main.layout(), RunLayout.METRICS, main.hadoopConf());
        metrics.write().mode("overwrite").parquet(out.stagingUri());
        out.commit();
        store.put(EvaluateStage.TABLE_ARTIFACT, full);
        pipeline.run(main, List.of(StageName.PUBLISH), true);
        return full;
    }

    static List<StageName> range(StageName from, StageName to) {
        return Arrays.asList(StageName.values()).subList(from.ordinal(), to.ordinal() + 1);
    }
}
