package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.data.synth.SyntheticGenerator;
import org.proper.data.synth.SyntheticOptions;
import org.proper.data.synth.SyntheticResult;
import org.proper.data.synth.SyntheticTask;
import org.proper.pipeline.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate-data", mixinStandardHelpOptions = true,
        description = "Generates a synthetic LaMP-format data set with planted user groups and Pareto-distributed "
                + "history lengths (proper.synthetic.*), on the Spark executors, into proper.synthetic.output.",
        footer = {"", "Examples:",
                "  bin/proper generate-data --config conf/demo.conf",
                "  bin/proper generate-data -Dsynthetic.users=1000000 -Dsynthetic.output=/data/synth-1m",
                "  bin/proper generate-data -Dsynthetic.task=rating -Dsynthetic.groups=8 --dry-run"})
final class GenerateDataCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() {
        ProperConfig config = common.loadConfig();
        SyntheticOptions o = options(config);
        if (common.dryRun) {
            spec.commandLine().getOut().printf("dry run: would generate %s into %s%n", o, config.getString("proper.synthetic.output"));
            return 0;
        }
        SparkSession spark = SparkSessions.create(config);
        try {
            generate(spark, config, config.getString("proper.synthetic.output"), spec.commandLine().getOut());
        } finally {
            spark.stop();
        }
        return 0;
    }

    static SyntheticOptions options(ProperConfig c) {
        SyntheticOptions d = SyntheticOptions.defaults(c.getLong("proper.synthetic.users"), c.getLong("proper.synthetic.seed"));
        return d.withGroups(c.getInt("proper.synthetic.groups"))
                .withTask(SyntheticTask.parse(c.getString("proper.synthetic.task")))
                .withHistory(c.getDouble("proper.synthetic.pareto-alpha"), c.getInt("proper.synthetic.min-history"),
                        c.getInt("proper.synthetic.max-history"));
    }

    static void generate(SparkSession spark, ProperConfig config, String dir, PrintWriter out) {
        SyntheticResult r = SyntheticGenerator.generate(spark, options(config), dir);
        out.printf("generated %d synthetic users (%s, %d profile items) into %s%n", r.users(), r.task(), r.profileItems(), r.outDir());
        out.flush();
    }
}
