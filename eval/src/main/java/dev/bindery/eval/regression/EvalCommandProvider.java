package dev.bindery.eval.regression;

import dev.bindery.server.cli.CommandProvider;

/** Contributes {@code bindery eval} to the CLI through {@link java.util.ServiceLoader}. */
public final class EvalCommandProvider implements CommandProvider {

  @Override
  public String name() {
    return "eval";
  }

  @Override
  public Object command() {
    return new EvalCommand();
  }
}
