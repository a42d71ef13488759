package dev.bindery.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code bindery} command: global options, the built-in subcommands, and those contributed by
 * other modules through {@link CommandProvider}.
 *
 * <p>Exit codes: 0 success, 1 the command failed, 2 the command line was wrong (or a query did not
 * parse), 3 an ingest skipped some inputs and indexed the rest. Failures print one line to stderr;
 * {@code --verbose} or {@code BINDERY_DEBUG=1} adds the stack trace.
 */
@Command(
    name = "bindery",
    mixinStandardHelpOptions = true,
    versionProvider = BinderyCli.Version.class,
    description = "Multimodal retrieval engine: index, search and ask across modalities.",
    subcommands = {
      DemoCommand.class,
      IndexCommand.class,
      SearchCommand.class,
      AskCommand.class,
      ServeCommand.class,
      CollectionsCommand.class,
      ModelsCommand.class,
      CompletionCommand.class
    },
    usageHelpAutoWidth = true)
public final class BinderyCli implements Runnable {

  /** Exit code of a command that failed at run time (picocli uses 2 for usage errors). */
  public static final int EXIT_FAILURE = 1;

  private final Map<String, String> env;

  @Spec private CommandSpec spec;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      defaultValue = "./bindery-data",
      scope = ScopeType.INHERIT,
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  private Path dataDir;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print stack traces of failures (same as BINDERY_DEBUG=1).")
  private boolean verbose;

  /**
   * @param env the process environment, read for {@code BINDERY_DEBUG}
   */
  public BinderyCli(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  public static void main(String[] args) {
    configureJavaUtilLogging();
    System.exit(
        commandLine(System.getenv(), Thread.currentThread().getContextClassLoader()).execute(args));
  }

  /**
   * Gives java.util.logging, which Lucene logs through, the policy of logback.xml: warnings only,
   * one line each. A {@code -Djava.util.logging.config.file} given by the user wins.
   */
  private static void configureJavaUtilLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream in = BinderyCli.class.getResourceAsStream("jul.properties")) {
      if (in == null) {
        throw new IllegalStateException("jul.properties is missing from the classpath");
      }
      LogManager.getLogManager().readConfiguration(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read jul.properties", e);
    }
  }

  /**
   * Builds the {@code bindery} command line with its error handling and every subcommand that a
   * {@link CommandProvider} on {@code loader}'s class path contributes.
   */
  public static CommandLine commandLine(Map<String, String> env, ClassLoader loader) {
    CommandLine cl = new CommandLine(new BinderyCli(env));
    for (CommandProvider provider : ServiceLoader.load(CommandProvider.class, loader)) {
      String name = provider.name();
      if (cl.getSubcommands().containsKey(name)) {
        throw new IllegalStateException(
            "two commands named '"
                + name
                + "': "
                + cl.getSubcommands().get(name).getCommandSpec().userObject().getClass().getName()
                + " and "
                + provider.getClass().getName());
      }
      cl.addSubcommand(name, Objects.requireNonNull(provider.command(), name + " command"));
    }
    for (SubcommandProvider provider : ServiceLoader.load(SubcommandProvider.class, loader)) {
      CommandLine parent = cl.getSubcommands().get(provider.parent());
      if (parent == null) {
        parent = new CommandLine(new CommandGroup(provider.parent()));
        cl.addSubcommand(provider.parent(), parent);
      }
      String name = provider.name();
      if (parent.getSubcommands().containsKey(name)) {
        throw new IllegalStateException(
            "two commands named '" + provider.parent() + " " + name + "': " + provider.getClass());
      }
      parent.addSubcommand(name, Objects.requireNonNull(provider.command(), name + " command"));
    }
    cl.setParameterExceptionHandler(new UsageErrorHandler());
    cl.setExecutionExceptionHandler(new FailureHandler());
    return cl;
  }

  /** The root {@code bindery} command of the command line that {@code spec} belongs to. */
  public static BinderyCli from(CommandSpec spec) {
    if (spec.root().userObject() instanceof BinderyCli cli) {
      return cli;
    }
    throw new IllegalStateException(
        "command '" + spec.qualifiedName() + "' does not run under the bindery command");
  }

  /** The data directory ({@code --data}), as given. */
  public Path dataDir() {
    return dataDir;
  }

  /** An environment variable of the process (as passed to the constructor), or null. */
  public String env(String name) {
    return env.get(name);
  }

  /** The process environment as passed to the constructor. */
  public Map<String, String> env() {
    return env;
  }

  /** True when failures should print their stack trace. */
  public boolean debug() {
    return verbose || "1".equals(env.get("BINDERY_DEBUG"));
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "missing command; one of " + spec.subcommands().keySet() + " is needed");
  }

  /** A command that only groups subcommands contributed by {@link SubcommandProvider}s. */
  @Command(mixinStandardHelpOptions = true)
  static final class CommandGroup implements Runnable {
    private final String name;

    @Spec private CommandSpec spec;

    CommandGroup(String name) {
      this.name = name;
    }

    @Override
    public void run() {
      throw new ParameterException(
          spec.commandLine(), name + " needs a subcommand; one of " + spec.subcommands().keySet());
    }
  }

  /** Usage errors: the problem, suggestions if any, and where to find help; exit code 2. */
  private static final class UsageErrorHandler implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cl = ex.getCommandLine();
      PrintWriter err = cl.getErr();
      String message = ex.getMessage();
      if (ex instanceof UnmatchedArgumentException u
          && !cl.getSubcommands().isEmpty()
          && !u.getUnmatched().isEmpty()
          && !u.getUnmatched().get(0).startsWith("-")) {
        message =
            "unknown command '"
                + u.getUnmatched().get(0)
                + "'; commands are "
                + String.join(", ", cl.getSubcommands().keySet());
      }
      err.println(
          cl.getColorScheme().errorText(cl.getCommandSpec().qualifiedName() + ": " + message));
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("See '" + cl.getCommandSpec().qualifiedName() + " --help'.");
      err.flush();
      return cl.getCommandSpec().exitCodeOnInvalidInput();
    }
  }

  /** Run-time failures: one line naming the command and the problem; exit code 1. */
  private static final class FailureHandler implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parsed) {
      PrintWriter err = cl.getErr();
      boolean debug = from(cl.getCommandSpec()).debug();
      err.println(
          cl.getColorScheme()
              .errorText(cl.getCommandSpec().qualifiedName() + ": error: " + describe(ex)));
      if (debug) {
        // Asked for with --verbose / BINDERY_DEBUG=1: the full trace, on the command's stderr.
        ex.printStackTrace(err);
      }
      err.flush();
      return EXIT_FAILURE;
    }

    /** The exception's message and those of its causes, without repeating wrapped messages. */
    private static String describe(Throwable ex) {
      List<String> parts = new ArrayList<>();
      for (Throwable t = ex; t != null && parts.size() < 4; t = t.getCause()) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
          m = t.getClass().getSimpleName();
        }
        String last = parts.isEmpty() ? null : parts.get(parts.size() - 1);
        if (last == null || !last.contains(m)) {
          parts.add(m);
        }
        if (t.getCause() == t) {
          break;
        }
      }
      return String.join(": ", parts);
    }
  }

  /** {@code --version}: Bindery's version plus the JVM and Lucene it runs on. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = BinderyCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          throw new IllegalStateException("version.properties is missing from the classpath");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read version.properties", e);
      }
      return new String[] {
        "bindery " + p.getProperty("version"),
        "Java "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + "), Lucene "
            + org.apache.lucene.util.Version.LATEST
      };
    }
  }
}
