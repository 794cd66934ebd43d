package org.proper.jobs.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.proper.common.ProperConfig;

import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options every stage takes: configuration, run identity, dry run. */
public final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "HOCON config file (profiles: conf/demo.conf, conf/cluster.conf, conf/gpu.conf). "
                    + "Default: the built-in defaults of conf/proper.conf.")
    Path config;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "Override a config key, e.g. -Dproper.lora.rank=4 or -Dtrain.users.steps=10.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--run-id", paramLabel = "ID",
            description = "Run identifier (letters, digits, '.', '_', '-'). Default: the run date.")
    String runId;

    @Option(names = "--run-date", paramLabel = "yyyy-MM-dd",
            description = "Logical date of a nightly run: interactions up to this date are used. Default: today.")
    String runDate;

    @Option(names = "--parent-run", paramLabel = "RUN_ID|latest",
            description = "Nightly incremental run: build on this published run (or the newest one before the run date: "
                    + "'latest'); users without new interactions keep its adapters. Same as "
                    + "-Dproper.incremental.parent-run=RUN_ID. Default: none (a full run).")
    String parentRun;

    @Option(names = "--dry-run",
            description = "Parse and validate the arguments and the configuration, print the plan, run nothing.")
    boolean dryRun;

    ProperConfig loadConfig() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        if (parentRun != null) all.put("proper.incremental.parent-run", parentRun);
        return ProperConfig.load(config, all);
    }

    LocalDate runDate() {
        if (runDate == null) return LocalDate.now();
        try {
            return LocalDate.parse(runDate);
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid value for option '--run-date': '" + runDate + "' is not a date like 2026-11-25");
        }
    }

    String runId() {
        String id = runId != null ? runId : runDate().toString();
        if (!id.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--run-id': '" + id
                    + "' (allowed: 1-128 letters, digits, '.', '_', '-')");
        }
        return id;
    }
}
