package org.proper.jobs.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.proper.common.ProperConfig;
import org.proper.pipeline.StageName;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** One pipeline stage as a subcommand (the description and examples are set per stage in ProperCli). */
@Command(mixinStandardHelpOptions = true)
final class StageCommand implements Callable<Integer> {
    private final StageName stage;

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--force", description = "Run the stage again even if this run already completed it.")
    boolean force;

    StageCommand(StageName stage) {
        this.stage = stage;
    }

    @Override
    public Integer call() throws Exception {
        ProperConfig config = common.loadConfig();
        String runId = common.runId();
        if (common.dryRun) {
            StageRunner.printPlan(spec.commandLine().getOut(), config, runId, common.runDate(), List.of(stage));
            return 0;
        }
        StageRunner.run(config, runId, common.runDate(), List.of(stage), force, spark -> { });
        return 0;
    }
}
