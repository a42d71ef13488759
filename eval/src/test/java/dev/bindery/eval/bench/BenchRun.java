package dev.bindery.eval.bench;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One in-process run of {@code bindery bench ...}: its exit code and what it printed. */
record BenchRun(int exit, String out, String err) {

  /** Runs {@code bench} with {@code args} (the subcommand first, e.g. "ann"). */
  static BenchRun of(String... args) {
    CommandLine cl = BenchCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new BenchRun(exit, out.toString(), err.toString());
  }
}
