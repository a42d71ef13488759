package dev.bindery.server.cli;

import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.Generator;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorProtocol;
import dev.bindery.generator.rag.ModelAnswerer;
import dev.bindery.generator.rag.RagOptions;
import dev.bindery.generator.rag.RagPipeline;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery serve}: the HTTP API and web page over the data directory, until stopped. {@code
 * bindery serve keys ...} manages the API keys file.
 */
@Command(
    name = "serve",
    description = {
      "Serve the HTTP API (/v1), /metrics, /openapi.json and the web page over the data directory.",
      "A host other than a loopback address needs --keys: the server refuses to start without.",
    },
    subcommands = {KeysCommand.class})
final class ServeCommand implements Callable<Integer> {

  @ParentCommand private BinderyCli cli;

  @Mixin private BackendOptions backendOptions = new BackendOptions();

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "7700",
      description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--keys",
      paramLabel = "FILE",
      description = "API keys file (JSON or YAML; see 'serve keys add'). Required off loopback.")
  private Path keysFile;

  @Option(
      names = "--max-body",
      paramLabel = "SIZE",
      defaultValue = "32MB",
      description = "Largest request body, e.g. 32MB, 512KB (default: ${DEFAULT-VALUE}).")
  private String maxBody;

  @Option(
      names = "--max-k",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Largest k a search may ask for (default: ${DEFAULT-VALUE}).")
  private int maxK;

  @Option(
      names = "--max-expression",
      paramLabel = "CHARS",
      defaultValue = "4096",
      description = "Longest query expression (default: ${DEFAULT-VALUE}).")
  private int maxExpression;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "30",
      description =
          "Seconds a search or ask may take before the client gets 503 (default:"
              + " ${DEFAULT-VALUE}).")
  private double timeoutSeconds;

  @Option(
      names = "--max-ingests",
      paramLabel = "N",
      defaultValue = "4",
      description = "Item writes handled at once; more get 503 (default: ${DEFAULT-VALUE}).")
  private int maxIngests;

  @Option(
      names = "--search-threads",
      paramLabel = "N",
      description = "Threads running searches (default: 2 x cores, at least 4).")
  private Integer searchThreads;

  @Option(
      names = "--search-queue",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Searches waiting for a thread before more get 503 (default: ${DEFAULT-VALUE}).")
  private int searchQueue;

  @Option(
      names = "--cors",
      paramLabel = "ORIGIN",
      split = ",",
      description =
          "Origins allowed to call the API from browsers (e.g. https://app.example, or *);"
              + " CORS is off without it.")
  private List<String> cors = new ArrayList<>();

  @Option(
      names = "--allowed-hosts",
      paramLabel = "NAME",
      split = ",",
      description =
          "Host names the server answers to besides localhost, IP addresses and --host (e.g."
              + " search.example.com, *.example.com); others get 421, which defeats DNS"
              + " rebinding.")
  private List<String> allowedHosts = new ArrayList<>();

  @Option(
      names = "--max-decodes",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Media decodes (image, audio, video) run at once across ingest and search; more wait"
              + " (default: ${DEFAULT-VALUE}).")
  private int maxDecodes;

  @Option(
      names = "--web",
      paramLabel = "DIR",
      description = "Serve the web page from DIR instead of the one built in.")
  private Path webRoot;

  @Option(
      names = "--models",
      paramLabel = "DIR",
      description =
          "A folder of model packages that 'POST /v1/collections' may name (repeatable). Models"
              + " pulled with 'bindery models pull' (the model cache) may always be named.")
  private List<Path> modelDirs = new ArrayList<>();

  @Option(
      names = "--generator-endpoint",
      paramLabel = "URL",
      description =
          "A model endpoint that answers POST /v1/collections/{c}/ask (OpenAI-compatible or"
              + " Ollama); without it, the offline extractive answerer.")
  private String generatorEndpoint;

  @Option(
      names = "--generator-protocol",
      paramLabel = "P",
      defaultValue = "openai",
      description = "openai (chat completions, default) or ollama (native /api/chat).")
  private String generatorProtocol;

  @Option(
      names = "--generator-model",
      paramLabel = "NAME",
      description = "The model name the endpoint serves (with --generator-endpoint).")
  private String generatorModel;

  @Option(
      names = "--generator-api-key-env",
      paramLabel = "VAR",
      description = "Environment variable holding the endpoint's bearer API key.")
  private String generatorApiKeyEnv;

  @Option(
      names = "--generator-max-tokens",
      paramLabel = "N",
      defaultValue = "512",
      description = "The most tokens the model may write per answer (default: ${DEFAULT-VALUE}).")
  private int generatorMaxTokens;

  @Override
  public Integer call() throws Exception {
    ServerConfig config = config();
    GeneratorConfig generatorConfig = generatorConfig(config);
    Path data = cli.dataDir();
    PrintWriter out = spec.commandLine().getOut();
    backendOptions.check();
    ServerLock lock =
        backendOptions.backend == BackendOptions.Kind.LUCENE
            ? ServerLock.acquire(data, "http://" + config.host() + ":" + config.port())
            : null;
    Bindery bindery;
    try {
      bindery = backendOptions.open(data, cli);
    } catch (RuntimeException e) {
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
    Generator generator = null;
    BinderyServer server;
    try {
      generator =
          generatorConfig == null
              ? null
              : GeneratorProtocol.fromWire(generatorProtocol).client(generatorConfig);
      server =
          BinderyServer.create(
                  bindery,
                  config.toBuilder().uploadsDir(uploadsDir(data)).build(),
                  pipeline(bindery, generator))
              .start();
    } catch (RuntimeException e) {
      closeQuietly(generator, e);
      bindery.close();
      if (lock != null) {
        lock.close();
      }
      throw e;
    }
    Generator model = generator;
    // Ctrl-C or SIGTERM: stop serving, then close the index (which commits) before the JVM halts.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> stop(server, bindery, model, lock), "bindery-serve-shutdown"));
    out.println(
        "Bindery is serving "
            + backendOptions.describe(data)
            + " at "
            + server.uri()
            + " ("
            + (config.keys() == null
                ? "no API keys: loopback only"
                : config.keys().keys().size() + " API keys from " + keysFile)
            + "; ask answered by "
            + (generator == null ? "extractive" : generator.describe())
            + "); Ctrl-C stops it.");
    out.flush();
    try {
      server.join();
    } finally {
      stop(server, bindery, generator, lock);
    }
    return 0;
  }

  /** The ask pipeline: the model endpoint's answerer when there is one, else the extractive one. */
  RagPipeline pipeline(Bindery bindery, Generator generator) {
    if (generator == null) {
      return RagPipeline.extractive(bindery);
    }
    RagOptions options =
        RagOptions.defaults()
            .withGeneration(generatorMaxTokens, RagOptions.defaults().temperature());
    ImageDecoder decoder = new ImageDecoder();
    return new RagPipeline(
        bindery, new ModelAnswerer(generator, options, decoder), options, decoder);
  }

  /** The model endpoint's config (its timeout is the server's), or null without an endpoint. */
  GeneratorConfig generatorConfig(ServerConfig config) {
    try {
      GeneratorProtocol.fromWire(generatorProtocol);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--generator-protocol: " + e.getMessage());
    }
    if (generatorEndpoint == null) {
      if (generatorModel != null || generatorApiKeyEnv != null) {
        throw new ParameterException(
            spec.commandLine(),
            "--generator-model and --generator-api-key-env need --generator-endpoint");
      }
      return null;
    }
    if (generatorModel == null || generatorModel.isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          "--generator-endpoint needs --generator-model (the model name the endpoint serves)");
    }
    try {
      RagOptions.defaults().withGeneration(generatorMaxTokens, 0);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--generator-max-tokens: " + e.getMessage());
    }
    String key = null;
    if (generatorApiKeyEnv != null) {
      key = cli.env(generatorApiKeyEnv);
      if (key == null || key.isBlank()) {
        throw new ParameterException(
            spec.commandLine(),
            "--generator-api-key-env: environment variable "
                + generatorApiKeyEnv
                + " is not set or empty");
      }
    }
    try {
      return GeneratorConfig.of(generatorEndpoint, generatorModel)
          .withApiKey(key)
          .withTimeouts(GeneratorConfig.DEFAULT_CONNECT_TIMEOUT, config.requestTimeout())
          .withRetries(GeneratorConfig.DEFAULT_MAX_RETRIES, GeneratorConfig.DEFAULT_BACKOFF);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Closes the server, then the facade and the generator; all idempotent (hook and main race). */
  private static void stop(
      BinderyServer server, Bindery bindery, Generator generator, ServerLock lock) {
    try {
      server.close();
    } finally {
      try {
        bindery.close();
      } finally {
        closeQuietly(generator, null);
        if (lock != null) {
          lock.close();
        }
      }
    }
  }

  private static void closeQuietly(Generator generator, RuntimeException into) {
    if (generator == null) {
      return;
    }
    try {
      generator.close();
    } catch (Exception e) {
      if (into != null) {
        into.addSuppressed(e);
      }
    }
  }

  /** Where uploaded files are kept, so the server can serve them back. */
  static Path uploadsDir(Path dataDir) {
    return dataDir.resolve("uploads");
  }

  ServerConfig config() {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be in 0..65535, got " + port);
    }
    if (!(timeoutSeconds > 0) || timeoutSeconds > 3600) {
      throw new ParameterException(
          spec.commandLine(), "--timeout must be in (0, 3600] seconds, got " + timeoutSeconds);
    }
    ServerConfig.Builder c =
        ServerConfig.builder()
            .host(host)
            .port(port)
            .maxBodyBytes(parseSize("--max-body", maxBody))
            .maxK(maxK)
            .maxExpressionLength(maxExpression)
            .requestTimeout(Duration.ofMillis(Math.round(timeoutSeconds * 1000)))
            .maxConcurrentIngests(maxIngests)
            .corsOrigins(cors)
            .allowedHosts(allowedHosts)
            .maxConcurrentDecodes(maxDecodes)
            .webRoot(webRoot)
            .modelDirs(withModelCache(modelDirs))
            .searchQueue(searchQueue);
    if (searchThreads != null) {
      c.searchThreads(searchThreads); // else the default, from the number of cores
    }
    if (keysFile != null) {
      // Read again whenever the file changes: 'serve keys add/remove' take effect at once.
      c.keysFile(keysFile);
    }
    return c.build();
  }

  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?", Pattern.CASE_INSENSITIVE);

  /** Parses 1048576, 512KB, 32MB, 1G (binary units). */
  static long parseSize(String option, String value) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          option + " must be a size like 32MB, 512KB or 1048576, got '" + value + "'");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int shift =
        switch (unit.charAt(0)) {
          case 'k' -> 10;
          case 'm' -> 20;
          case 'g' -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException(option + " is too large: '" + value + "'");
    }
    return n << shift;
  }

  // Pulled models are named over HTTP like packages in --models folders; those folders win.
  private List<Path> withModelCache(List<Path> dirs) {
    List<Path> all = new ArrayList<>(dirs);
    all.add(ModelCache.fromEnvironment(cli.env()).root());
    return all;
  }
}
