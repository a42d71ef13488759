package dev.bindery.server.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** A test-only subcommand, contributed through the service loader, that always fails. */
public final class FailingCommandProvider implements CommandProvider {
  static final String NAME = "fail-for-test";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Object command() {
    return new Failing();
  }

  @Command(name = NAME)
  static final class Failing implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException(
          "index is locked", new IOException("write.lock held by another process"));
    }
  }
}
