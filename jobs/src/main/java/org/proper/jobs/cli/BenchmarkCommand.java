package org.proper.jobs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;
import org.proper.common.ProperConfig;
import org.proper.eval.report.ComparisonTable;
import org.proper.eval.report.MarkdownTable;
import org.proper.pipeline.Benchmark;
import org.proper.pipeline.SparkSessions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Trains and scores every method of the comparison on one LaMP-format data set, same split and "
                + "seeds: base, population, user-majority, OPPU, group-only, PROPER and the ablations (hard clusters, "
                + "fixed beta, no diversity). Writes the table to the run's metrics table, report and --out.",
        footer = {"", "Examples:",
                "  bin/proper benchmark --data ../shared/data/arrow-components --out arrow.md",
                "  bin/proper benchmark --data demo-data --config conf/demo.conf --run-id bench-demo",
                "  bin/proper benchmark --data ../shared/data/kafka-titles -Dtrain.users.steps=60 --out kafka.md"})
final class BenchmarkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A LaMP-format directory.")
    Path data;

    @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the comparison as Markdown here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(data)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--data': " + data + " is not a directory");
        }
        ProperConfig config = common.loadConfig().with(Map.of("proper.data.input", data.toString(), "proper.data.format", "lamp"));
        String runId = common.runId != null ? common.runId() : "bench-" + data.getFileName();
        if (common.dryRun) {
            StageRunner.printPlan(spec.commandLine().getOut(), config, runId, common.runDate(), List.of());
            return 0;
        }
        SparkSession spark = SparkSessions.create(config);
        String markdown;
        try {
            ComparisonTable table = Benchmark.run(spark, config, runId, common.runDate());
            markdown = MarkdownTable.render(List.of(table));
        } finally {
            spark.stop();
        }
        if (out != null) Files.writeString(out, markdown);
        spec.commandLine().getOut().println(markdown);
        return 0;
    }
}
