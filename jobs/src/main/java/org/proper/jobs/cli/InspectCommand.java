package org.proper.jobs.cli;

import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.proper.serving.RunInspector;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Prints a published run's manifest, its tables' row counts and sizes.",
        footer = {"", "Examples:",
                "  bin/proper inspect warehouse/runs/demo",
                "  bin/proper inspect hdfs://namenode:8020/proper/warehouse/runs/2026-11-24",
                "  bin/proper inspect --warehouse warehouse --run-id demo"})
final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "RUN_DIR", description = "The run directory <warehouse>/runs/<run_id>.")
    String runDir;

    @Option(names = "--warehouse", description = "Warehouse (with --run-id instead of RUN_DIR).")
    String warehouse;

    @Option(names = "--run-id", description = "Run id (with --warehouse).")
    String runId;

    @Override
    public Integer call() {
        String wh = warehouse, id = runId;
        if (runDir != null) {
            Path p = new Path(runDir);
            if (p.getParent() == null || !"runs".equals(p.getParent().getName())) {
                throw new ParameterException(spec.commandLine(), "Invalid RUN_DIR '" + runDir + "': expected <warehouse>/runs/<run_id>");
            }
            wh = p.getParent().getParent().toString();
            id = p.getName();
        }
        if (wh == null || id == null) {
            throw new ParameterException(spec.commandLine(), "Missing run: give RUN_DIR or --warehouse and --run-id");
        }
        spec.commandLine().getOut().println(RunInspector.inspect(wh, id, new Configuration()));
        return 0;
    }
}
