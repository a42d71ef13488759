package dev.bindery.server.cli;

/**
 * Contributes a top-level subcommand to {@code bindery} from a module that search-server does not
 * depend on (eval contributes {@code bench} and {@code eval}). Implementations are found with
 * {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.bindery.server.cli.CommandProvider} and give it a public no-argument
 * constructor.
 *
 * <p>The command reads the global options ({@code --data}, {@code --verbose}) through {@link
 * BinderyCli#from(picocli.CommandLine.Model.CommandSpec)}, or with a {@code @ParentCommand
 * BinderyCli} field when it is a direct subcommand.
 */
public interface CommandProvider {

  /** The subcommand's name as typed after {@code bindery}; must match the command's own name. */
  String name();

  /**
   * A new instance of the command: an object annotated with picocli's {@code @Command}, or a {@link
   * picocli.CommandLine} built around one. Called once per {@code bindery} invocation.
   */
  Object command();
}
