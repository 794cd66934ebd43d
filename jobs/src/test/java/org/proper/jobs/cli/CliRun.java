package org.proper.jobs.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import picocli.CommandLine;

/** Runs the `proper` command in-process and captures its exit code, stdout and stderr (test helper). */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        CommandLine cl = ProperCli.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
