package org.proper.pipeline.e2e;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.data.synth.SyntheticGenerator;
import org.proper.data.synth.SyntheticOptions;
import org.proper.data.synth.SyntheticTask;
import org.proper.pipeline.Pipeline;
import org.proper.pipeline.RunContext;
import org.proper.pipeline.StageName;
import org.proper.pipeline.Stages;

/**
 * A tiny but complete configuration and data set for end-to-end tests: seconds per stage on 2 cores. Public (in the
 * pipeline's test-jar) so serving and the CLI test against a real tiny run.
 */
public final class TinyRuns {
    private TinyRuns() {}

    public static SparkSession spark(String master) {
        return org.proper.pipeline.run.LocalSpark.start("proper-e2e", master);
    }

    /** Generates 40 synthetic users (3 planted groups) into dir. */
    public static void generate(SparkSession spark, Path dir) {
        generate(spark, dir, SyntheticTask.TAGGING);
    }

    /** Generates 40 synthetic users (3 planted groups) doing {@code task} into dir. */
    public static void generate(SparkSession spark, Path dir, SyntheticTask task) {
        SyntheticOptions o = SyntheticOptions.defaults(40, 5).withGroups(3).withHistory(1.2, 2, 30).withPartitions(2).withTask(task);
        SyntheticGenerator.generate(spark, o, dir.toString());
    }

    public static ProperConfig config(String warehouse, String input, Map<String, String> extra) {
        Map<String, String> o = new HashMap<>();
        o.put("warehouse", warehouse);
        o.put("data.input", input);
        o.put("model.d-model", "16");
        o.put("model.layers", "1");
        o.put("model.heads", "2");
        o.put("model.kv-heads", "2");
        o.put("model.d-ffn", "32");
        o.put("model.max-seq-len", "48");
        o.put("model.pretrain-steps", "4");
        o.put("model.pretrain-batch", "8");
        o.put("lora.rank", "2");
        o.put("lora.alpha", "4");
        o.put("train.batch-size", "4");
        o.put("train.warmup-steps", "1");
        o.put("train.population.rounds", "2");
        o.put("train.population.local-steps", "2");
        o.put("train.groups.warm-start-steps", "2");
        o.put("train.groups.joint-rounds", "1");
        o.put("train.groups.joint-local-steps", "2");
        o.put("train.users.rank", "2");
        o.put("train.users.steps", "2");
        o.put("train.users.min-history", "3");
        o.put("train.users.users-per-batch", "8");
        o.put("train.users.shards", "4");
        o.put("embed.dim", "4");
        o.put("embed.num-features", "64");
        o.put("cluster.k", "3");
        o.put("eval.max-new-tokens", "4");
        o.putAll(extra);
        return ProperConfig.load(null, o);
    }

    public static RunContext run(SparkSession spark, ProperConfig config, String runId, List<StageName> stages) throws Exception {
        RunContext ctx = RunContext.open(spark, config, runId, LocalDate.of(2026, 11, 25));
        new Pipeline(Stages.all()).run(ctx, stages, false);
        return ctx;
    }

    public static List<StageName> all() {
        return List.of(StageName.values());
    }
}
