package dev.bindery.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.DeltaListener;
import dev.bindery.generator.Generator;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorProtocol;
import dev.bindery.generator.grounding.Region;
import dev.bindery.generator.rag.Answer;
import dev.bindery.generator.rag.AnswerSegment;
import dev.bindery.generator.rag.Answerer;
import dev.bindery.generator.rag.AskRequest;
import dev.bindery.generator.rag.ExtractiveAnswerer;
import dev.bindery.generator.rag.ModelAnswerer;
import dev.bindery.generator.rag.RagOptions;
import dev.bindery.generator.rag.RagPipeline;
import dev.bindery.generator.rag.RetrievedItem;
import dev.bindery.indexer.Filter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery ask}: answers a question (optionally about an image) from a collection through the
 * generator module's {@link RagPipeline}, with the offline {@link ExtractiveAnswerer} unless a
 * model endpoint is given.
 *
 * <p>Exit codes: 0 answered (also "I don't know"); 1 no such data directory or collection, or the
 * model endpoint failed; 2 a wrong command line, question or image.
 */
@Command(
    name = "ask",
    description = {
      "Answer a question from a collection, citing the items used as [id]. For example:",
      "  bindery ask --collection demo 'What category is the frog in?'",
      "  bindery ask --collection demo --image photo.png 'What is this?'",
      "  bindery ask --collection demo --endpoint http://127.0.0.1:11434 --protocol ollama"
          + " --model llava:7b 'Which pictures show birds?'",
      "Without --endpoint the offline extractive answerer answers from the items' metadata and"
          + " text, and says it does not know when the evidence is weak (see docs/generator.md).",
      "Exit codes: 0 answered, 1 no such collection or the model endpoint failed, 2 bad usage."
    },
    usageHelpAutoWidth = true)
final class AskCommand implements Callable<Integer> {

  /** Characters of an item's text shown under Sources. */
  private static final int SNIPPET = 70;

  @ParentCommand private BinderyCli cli;

  @Mixin private BackendOptions backendOptions = new BackendOptions();

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = {"-c", "--collection"},
      required = true,
      paramLabel = "NAME",
      description = "The collection to answer from.")
  private String collection;

  @Option(
      names = "--image",
      paramLabel = "PATH",
      description = "An image the question is about (PNG, JPEG, GIF, BMP, WebP, TIFF).")
  private Path image;

  @Option(names = "--json", description = "Print the whole answer as JSON.")
  private boolean json;

  @Option(
      names = {"-k", "--k"},
      paramLabel = "K",
      defaultValue = "8",
      description = "Items retrieved, 1.." + AskRequest.MAX_K + " (default: ${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--filter",
      paramLabel = "COND",
      description =
          "A metadata condition on what may be retrieved, repeatable: FIELD=VALUE,"
              + " FIELD=FROM..TO, FIELD>=VALUE, FIELD<=VALUE or set:NAME.")
  private List<String> filters = new ArrayList<>();

  @Option(
      names = "--ret",
      description =
          "Let the model place [RET] markers; each retrieves items shown in the answer"
              + " (FROMAGe-style).")
  private boolean ret;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "A model endpoint, e.g. http://127.0.0.1:11434 (Ollama), http://127.0.0.1:8000 (vLLM),"
              + " http://127.0.0.1:8080 (llama.cpp). Without it, the extractive answerer.")
  private String endpoint;

  @Option(
      names = "--protocol",
      paramLabel = "P",
      defaultValue = "openai",
      description = "openai (chat completions, default) or ollama (native /api/chat).")
  private String protocol;

  @Option(names = "--model", paramLabel = "NAME", description = "The model name (with --endpoint).")
  private String model;

  @Option(
      names = "--api-key-env",
      paramLabel = "VAR",
      description = "Environment variable holding the bearer API key (never pass keys as args).")
  private String apiKeyEnv;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "Seconds to wait for the model's answer (for each piece when streaming; default:"
              + " ${DEFAULT-VALUE}).")
  private double timeout;

  @Option(
      names = "--retries",
      paramLabel = "N",
      defaultValue = "2",
      description = "Retries after a refused connection, 429 or 5xx (default: ${DEFAULT-VALUE}).")
  private int retries;

  @Option(
      names = "--max-tokens",
      paramLabel = "N",
      defaultValue = "512",
      description = "The most tokens the model may write (default: ${DEFAULT-VALUE}).")
  private int maxTokens;

  @Option(
      names = "--min-similarity",
      paramLabel = "S",
      defaultValue = "" + ExtractiveAnswerer.DEFAULT_MIN_SIMILARITY,
      description =
          "Extractive answerer: the kNN cosine below which an item is no evidence"
              + " (default: ${DEFAULT-VALUE}).")
  private double minSimilarity;

  @Option(
      names = "--stream",
      description = "Print the model's answer as it is written (ignored with --json).")
  private boolean stream;

  @Parameters(
      arity = "1..*",
      paramLabel = "QUESTION",
      description = "The question; several arguments are joined with spaces.")
  private List<String> question;

  @Override
  public Integer call() {
    AskRequest request;
    try {
      request =
          new AskRequest(
              collection, String.join(" ", question), imageBytes(), imageName(), k, null, ret);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    GeneratorConfig config = generatorConfig();
    ExtractiveAnswerer extractive;
    try {
      extractive = new ExtractiveAnswerer(minSimilarity, ExtractiveAnswerer.DEFAULT_EVIDENCE_DEPTH);
    } catch (IllegalArgumentException e) {
      throw usage("--min-similarity: " + e.getMessage());
    }
    RagOptions options;
    try {
      options =
          RagOptions.defaults().withGeneration(maxTokens, RagOptions.defaults().temperature());
    } catch (IllegalArgumentException e) {
      throw usage("--max-tokens: " + e.getMessage());
    }

    Path data = cli.dataDir();
    backendOptions.check();
    if (backendOptions.backend == BackendOptions.Kind.LUCENE && !Files.isDirectory(data)) {
      throw new IllegalStateException(
          "no data directory "
              + data.toAbsolutePath().normalize()
              + "; index something first (bindery index) or point --data at one");
    }
    PrintWriter out = spec.commandLine().getOut();
    Answer answer;
    ImageDecoder decoder = new ImageDecoder();
    try (Bindery bindery = backendOptions.open(data, cli, true);
        Generator generator =
            config == null ? null : GeneratorProtocol.fromWire(protocol).client(config)) {
      List<String> names = bindery.listCollections();
      if (!names.contains(collection)) {
        throw new IllegalStateException(
            "no collection '"
                + collection
                + "' in "
                + data.toAbsolutePath().normalize()
                + "; "
                + (names.isEmpty() ? "there are none" : "there are " + names));
      }
      Filter filter;
      try {
        filter = FilterArgument.parse(filters, bindery.config(collection).fields());
      } catch (IllegalArgumentException e) {
        throw usage("--filter: " + e.getMessage());
      }
      Answerer answerer =
          generator == null ? extractive : new ModelAnswerer(generator, options, decoder);
      RagPipeline pipeline = new RagPipeline(bindery, answerer, options, decoder);
      boolean live = stream && !json;
      DeltaListener listener =
          live
              ? delta -> {
                out.print(delta);
                out.flush();
              }
              : DeltaListener.NONE;
      try {
        answer = pipeline.ask(request.withFilter(filter), listener);
      } catch (IllegalArgumentException e) {
        // The facade's convention: the question asked for something this collection cannot do.
        throw usage("cannot answer on '" + collection + "': " + e.getMessage());
      }
      if (live) {
        out.println();
        out.println();
      }
      if (json) {
        printJson(out, answer);
      } else {
        printText(out, answer, live);
      }
    }
    out.flush();
    return 0;
  }

  private byte[] imageBytes() {
    if (image == null) {
      return null;
    }
    try {
      return Files.readAllBytes(image);
    } catch (NoSuchFileException e) {
      throw usage("--image: no such file " + image);
    } catch (IOException e) {
      throw usage("--image: cannot read " + image + ": " + e.getMessage());
    }
  }

  private String imageName() {
    return image == null ? null : image.toString();
  }

  /** The model endpoint's config, or null for the extractive answerer. */
  private GeneratorConfig generatorConfig() {
    try {
      GeneratorProtocol.fromWire(protocol);
    } catch (IllegalArgumentException e) {
      throw usage("--protocol: " + e.getMessage());
    }
    if (endpoint == null) {
      if (model != null || apiKeyEnv != null) {
        throw usage("--model and --api-key-env need --endpoint");
      }
      return null;
    }
    if (model == null || model.isBlank()) {
      throw usage("--endpoint needs --model (the model name the endpoint serves)");
    }
    if (!(timeout > 0) || Double.isInfinite(timeout)) {
      throw usage("--timeout must be a positive number of seconds, got " + timeout);
    }
    String key = null;
    if (apiKeyEnv != null) {
      key = cli.env(apiKeyEnv);
      if (key == null || key.isBlank()) {
        throw usage("--api-key-env: environment variable " + apiKeyEnv + " is not set or empty");
      }
    }
    try {
      return GeneratorConfig.of(endpoint, model)
          .withApiKey(key)
          .withTimeouts(
              GeneratorConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis((long) (timeout * 1000)))
          .withRetries(retries, GeneratorConfig.DEFAULT_BACKOFF);
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  private static void printJson(PrintWriter out, Answer answer) {
    try {
      out.println(new ObjectMapper().writeValueAsString(answer));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the answer as JSON: " + e.getMessage(), e);
    }
  }

  private static void printText(PrintWriter out, Answer a, boolean alreadyStreamed) {
    if (!alreadyStreamed) {
      for (AnswerSegment s : a.segments()) {
        switch (s) {
          case AnswerSegment.Text t -> out.print(t.text());
          case AnswerSegment.Retrieval r ->
              out.print(
                  " [RET: "
                      + String.join(", ", r.items().stream().map(RetrievedItem::id).toList())
                      + "]");
        }
      }
      out.println();
      out.println();
    }
    if (!a.citations().isEmpty()) {
      out.println("Sources:");
      TextTable table = new TextTable("id", ">similarity", "text");
      for (String id : a.citations()) {
        RetrievedItem item =
            a.hits().stream().filter(h -> h.id().equals(id)).findFirst().orElseThrow();
        table.row(
            "[" + id + "]",
            item.similarity() == null ? "-" : String.format(Locale.ROOT, "%.3f", item.similarity()),
            snippet(item));
      }
      table.print(out, "  ");
    }
    if (!a.droppedCitations().isEmpty()) {
      out.println(
          "Dropped citations (not among the retrieved items): "
              + String.join(", ", a.droppedCitations()));
    }
    for (Region r : a.regions()) {
      out.printf(
          Locale.ROOT,
          "Region on %s%s: (%.3f, %.3f)-(%.3f, %.3f)%n",
          r.target() == Region.Target.ITEM ? "[" + r.itemId() + "]" : r.target().wireName(),
          r.label() == null ? "" : " '" + r.label() + "'",
          r.x1(),
          r.y1(),
          r.x2(),
          r.y2());
    }
    a.malformedBoxes()
        .forEach(m -> out.println("Unreadable box: " + m.text() + " (" + m.reason() + ")"));
    out.printf(
        Locale.ROOT,
        "Answered by %s in %d ms (retrieval %d ms, answer %d ms); %d item%s retrieved.%n",
        a.answeredBy(),
        a.timings().totalMs(),
        a.timings().retrievalMs(),
        a.timings().answerMs(),
        a.hits().size(),
        a.hits().size() == 1 ? "" : "s");
  }

  private static String snippet(RetrievedItem item) {
    String text = item.text().getOrDefault("text", "");
    if (text.isBlank()) {
      text = item.source() == null ? item.metadata().toString() : item.source();
    }
    text = text.replaceAll("\\s+", " ").strip();
    return text.length() <= SNIPPET ? text : text.substring(0, SNIPPET - 3) + "...";
  }
}
