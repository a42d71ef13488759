package dev.bindery.eval.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bindery bench}: the benchmark harnesses; each is a subcommand. */
@Command(
    name = "bench",
    description = "Benchmarks that report ratios against a baseline measured in the same run.",
    subcommands = {
      AnnBenchCommand.class,
      EncoderBenchCommand.class,
      FusionBenchCommand.class,
      HttpBenchCommand.class,
      IngestBenchCommand.class
    })
public final class BenchCommand implements Runnable {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "bench needs a subcommand: "
            + String.join(
                ", ", new java.util.TreeSet<>(spec.commandLine().getSubcommands().keySet())));
  }

  /** A command line for {@code bench}, failing with the message alone for caller mistakes. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new BenchCommand());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          if (ex instanceof IllegalArgumentException) {
            cmd.getErr().println("bench: " + ex.getMessage());
            cmd.getErr().flush();
            return 2;
          }
          throw ex;
        });
    return cl;
  }

  /** Runs {@code bench} on its own, e.g. {@code java ... BenchCommand ann --synthetic 20000}. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
