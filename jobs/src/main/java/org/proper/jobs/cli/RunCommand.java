package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.proper.common.ProperConfig;
import org.proper.pipeline.StageName;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the whole pipeline: ingest -> embed -> cluster -> train-population -> train-groups -> "
                + "train-users -> evaluate -> publish. Completed stages of the same run id are skipped (resume).",
        footer = {"", "Examples:",
                "  bin/proper run --config conf/demo.conf --generate",
                "  bin/proper run --config conf/demo.conf --run-id demo -Ddata.input=../shared/data/arrow-components",
                "  bin/proper run --config conf/cluster.conf --run-date 2026-11-24 --from train-groups --force"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--generate", description = "First generate the synthetic demo data set into proper.data.input "
            + "(with proper.synthetic.* settings).")
    boolean generate;

    @Option(names = "--force", description = "Re-run stages even if this run already completed them.")
    boolean force;

    @Option(names = "--from", paramLabel = "STAGE", description = "First stage to run (default: ingest).")
    String from = StageName.INGEST.cliName();

    @Option(names = "--to", paramLabel = "STAGE", description = "Last stage to run (default: publish).")
    String to = StageName.PUBLISH.cliName();

    @Override
    public Integer call() throws Exception {
        ProperConfig config = common.loadConfig();
        String runId = common.runId();
        List<StageName> stages = range();
        PrintWriter out = spec.commandLine().getOut();
        if (common.dryRun) {
            StageRunner.printPlan(out, config, runId, common.runDate(), stages);
            return 0;
        }
        long t0 = System.nanoTime();
        Map<String, Map<String, Object>> ran = StageRunner.run(config, runId, common.runDate(), stages, force, spark -> {
            if (generate) {
                if (!"lamp".equals(config.getString("proper.data.format"))) {
                    throw new ParameterException(spec.commandLine(), "--generate writes LaMP data: proper.data.format must be lamp");
                }
                GenerateDataCommand.generate(spark, config, config.getString("proper.data.input"), out);
            }
        });
        RunReport.print(out, config, runId, ran, (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private List<StageName> range() {
        StageName a, b;
        try {
            a = StageName.fromCli(from);
            b = StageName.fromCli(to);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --from/--to: " + e.getMessage());
        }
        if (a.ordinal() > b.ordinal()) {
            throw new ParameterException(spec.commandLine(), "Invalid stage range: --from " + from + " comes after --to " + to);
        }
        return Arrays.asList(StageName.values()).subList(a.ordinal(), b.ordinal() + 1);
    }
}
