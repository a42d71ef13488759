package dev.bindery.eval;

import dev.bindery.eval.bench.BenchCommand;
import dev.bindery.server.cli.CommandProvider;

/** Contributes {@code bindery bench} to the CLI through {@link java.util.ServiceLoader}. */
public final class EvalCommands implements CommandProvider {

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public Object command() {
    return new BenchCommand();
  }
}
