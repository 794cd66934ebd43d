package org.proper.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The `proper` command's contract: help with examples, exit codes 0/1/2, errors that name the bad input. */
class ProperCliTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void everySubcommandHasHelpWithRealExamples() {
        for (String sub : new String[]{"generate-data", "ingest", "embed", "cluster", "train-population", "train-groups",
                "train-users", "evaluate", "publish", "run", "inspect", "benchmark", "generate"}) {
            CliRun r = run(sub, "--help");
            assertEquals(0, r.code(), sub);
            assertTrue(r.out().contains("Examples:") && r.out().contains("bin/proper " + sub), sub + ":\n" + r.out());
        }
        CliRun top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("bin/proper run --config conf/demo.conf --generate"), top.out());
    }

    @Test
    void dryRunValidatesAndExitsZeroWithThePlan() {
        CliRun r = run("run", "--config", "../conf/demo.conf", "--run-date", "2026-11-24", "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run 2026-11-24") && r.out().contains("train-users"), r.out());
    }

    @Test
    void parentRunIsPassedToTheConfigurationAndValidated() {
        CliRun r = run("train-users", "--config", "../conf/cluster.conf", "--run-date", "2026-11-25", "--parent-run", "latest",
                "--dry-run");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parent run: latest, interactions up to 2026-11-25"), r.out());
        CliRun bad = run("embed", "--dry-run", "--parent-run", "no/such/run");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("proper.incremental.parent-run"), bad.err());
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun r = run("run", "--no-such-option");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--no-such-option"), r.err());
    }

    @Test
    void unknownConfigKeyIsAUsageErrorNamingTheKey() {
        CliRun r = run("embed", "--dry-run", "-Dembed.dimension=8");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("proper.embed.dimension"), r.err());
    }

    @Test
    void badRunDateAndBadStageRangeAreUsageErrors() {
        CliRun date = run("ingest", "--dry-run", "--run-date", "yesterday");
        assertEquals(2, date.code());
        assertTrue(date.err().contains("--run-date"), date.err());
        CliRun range = run("run", "--dry-run", "--from", "publish", "--to", "ingest");
        assertEquals(2, range.code());
        assertTrue(range.err().contains("--from"), range.err());
    }

    @Test
    void missingConfigFileIsAUsageErrorNamingIt() {
        CliRun r = run("cluster", "--dry-run", "--config", "no/such/file.conf");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no/such/file.conf"), r.err());
    }

    @Test
    void aMissingInputDirectoryFailsWithExitOneNamingIt() {
        CliRun r = run("ingest", "--run-id", "t", "-Dwarehouse=target/cli-test-warehouse", "-Ddata.input=target/no-such-input",
                "-Dspark.master=local[1]");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("no-such-input"), r.err());
    }
}
