package dev.bindery.eval.embed;

import dev.bindery.server.cli.CommandProvider;

/** Contributes {@code bindery embed-text} to the CLI through {@link java.util.ServiceLoader}. */
public final class EmbedTextCommandProvider implements CommandProvider {
  @Override
  public String name() {
    return "embed-text";
  }

  @Override
  public Object command() {
    return new EmbedTextCommand();
  }
}
