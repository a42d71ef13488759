package dev.bindery.server.cli;

/** Contributes {@code bindery bench http} under the {@code bench} command that eval owns. */
public final class BenchHttpProvider implements SubcommandProvider {

  @Override
  public String parent() {
    return "bench";
  }

  @Override
  public String name() {
    return "http";
  }

  @Override
  public Object command() {
    return new BenchHttpCommand();
  }
}
