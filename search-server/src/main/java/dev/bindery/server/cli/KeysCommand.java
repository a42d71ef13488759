package dev.bindery.server.cli;

import dev.bindery.server.http.auth.ApiKey;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bindery serve keys}: add, list and remove API keys in a keys file ({@link ApiKeys}); a
 * subcommand of {@link ServeCommand}, which reads the file it writes.
 */
@Command(
    name = "keys",
    description = {
      "Manage the API keys file. Keys are stored hashed (salted SHA-256); a new key's secret is"
          + " printed once, by 'add'.",
      "Scopes: read (search, get), write (also add/delete items), admin (also create/drop"
          + " collections, /metrics)."
    },
    subcommands = {KeysCommand.Add.class, KeysCommand.ListKeys.class, KeysCommand.Remove.class})
final class KeysCommand implements Runnable {
  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "keys needs a subcommand: add, list or remove");
  }

  /** {@code serve keys add}. */
  @Command(
      name = "add",
      description = "Add a key to the keys file (created if missing) and print its secret, once.")
  static final class Add implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    private boolean help;

    @Option(names = "--keys", paramLabel = "FILE", required = true, description = "Keys file.")
    private Path file;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        required = true,
        description = "A label for the key, unique in the file.")
    private String name;

    @Option(
        names = "--scope",
        paramLabel = "SCOPE",
        defaultValue = "read",
        description = "read, write or admin (default: ${DEFAULT-VALUE}).")
    private String scope;

    @Option(
        names = "--collections",
        paramLabel = "NAMES",
        split = ",",
        description = "Collections the key may touch (default: all).")
    private List<String> collections = new ArrayList<>();

    @Override
    public Integer call() {
      ApiKeys keys = ApiKeys.loadOrEmpty(file);
      ApiKeys.Generated g =
          ApiKeys.generate(name, Scope.fromName(scope), collections, new SecureRandom());
      keys.with(g.key()).save(file);
      PrintWriter out = spec.commandLine().getOut();
      out.println(g.secret());
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          "added key '"
              + name
              + "' ("
              + g.key().scope()
              + ", "
              + (collections.isEmpty() ? "all collections" : "collections " + collections)
              + ") to "
              + file
              + "; the secret above is not stored anywhere: keep it now");
      err.flush();
      return 0;
    }
  }

  /** {@code serve keys list}. */
  @Command(
      name = "list",
      description = "List the keys in a keys file (names, scopes, collections).")
  static final class ListKeys implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    private boolean help;

    @Option(names = "--keys", paramLabel = "FILE", required = true, description = "Keys file.")
    private Path file;

    @Override
    public Integer call() {
      TextTable table = new TextTable("name", "scope", "collections");
      for (ApiKey k : ApiKeys.load(file).keys()) {
        table.row(
            k.name(),
            k.scope(),
            k.collections().isEmpty() ? "all" : String.join(",", k.collections()));
      }
      PrintWriter out = spec.commandLine().getOut();
      table.print(out, "");
      out.flush();
      return 0;
    }
  }

  /** {@code serve keys remove}. */
  @Command(name = "remove", description = "Remove a key from a keys file.")
  static final class Remove implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    private boolean help;

    @Option(names = "--keys", paramLabel = "FILE", required = true, description = "Keys file.")
    private Path file;

    @Parameters(paramLabel = "NAME", description = "The key to remove.")
    private String name;

    @Override
    public Integer call() {
      ApiKeys.load(file).without(name).save(file);
      spec.commandLine().getErr().println("removed key '" + name + "' from " + file);
      spec.commandLine().getErr().flush();
      return 0;
    }
  }
}
