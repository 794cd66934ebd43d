package org.proper.jobs.cli;

import org.proper.common.ConfigException;
import org.proper.pipeline.StageName;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `proper` command: one subcommand per pipeline stage, plus run, generate-data, inspect and generate. */
@Command(name = "proper", mixinStandardHelpOptions = true, version = "proper 0.1.0",
        description = "PROPER on Spark: progressive population -> group -> user LoRA personalization of a language model.",
        footer = {"", "Examples:",
                "  bin/proper run --config conf/demo.conf --generate          # demo: generate data, run everything",
                "  bin/proper run --config conf/cluster.conf --run-date 2026-11-24",
                "  bin/proper train-users --config conf/cluster.conf --run-id 2026-11-24 -Dtrain.users.steps=50",
                "  bin/proper inspect warehouse/runs/2026-11-24",
                "  bin/proper generate --run 2026-11-24 --user s0000017 \"Which tag does this movie relate to ...\"",
                "", "Exit codes: 0 success, 1 failure, 2 usage or configuration error."})
public final class ProperCli implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new ProperCli());
        cl.addSubcommand("generate-data", new GenerateDataCommand());
        for (StageName stage : StageName.values()) {
            CommandLine sub = new CommandLine(new StageCommand(stage));
            sub.getCommandSpec().usageMessage()
                    .description(stage.description() + " (one stage of a run; `proper run` chains all of them).")
                    .footer("", "Examples:",
                            "  bin/proper " + stage.cliName() + " --config conf/demo.conf --run-id demo",
                            "  bin/proper " + stage.cliName() + " --config conf/cluster.conf --run-date 2026-11-24 --force",
                            "  bin/proper " + stage.cliName() + " --config conf/demo.conf --run-id demo --dry-run");
            cl.addSubcommand(stage.cliName(), sub);
        }
        cl.addSubcommand("run", new RunCommand());
        cl.addSubcommand("inspect", new InspectCommand());
        cl.addSubcommand("generate", new GenerateCommand());
        cl.addSubcommand("benchmark", new BenchmarkCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof ConfigException || ex instanceof CommandLine.ParameterException) {
                commandLine.getErr().println("proper: " + ex.getMessage());
                return 2;
            }
            commandLine.getErr().println("proper: failed: " + rootMessage(ex));
            ex.printStackTrace(commandLine.getErr());
            return 1;
        });
        return cl;
    }

    static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        return r == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (cause: " + r + ")";
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
