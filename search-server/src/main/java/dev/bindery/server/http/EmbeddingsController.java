package dev.bindery.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.encoders.AudioSignal;
import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaTypes;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.text.TextEncoder;
import dev.bindery.encoders.text.TokenBatch;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.DataUrl;
import dev.bindery.indexer.CollectionNotFoundException;
import dev.bindery.indexer.Names;
import dev.bindery.server.http.auth.Caller;
import dev.bindery.server.http.auth.Scope;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /v1/embeddings}, shaped like OpenAI's embeddings API so that any OpenAI client
 * (langchain4j's, Spring AI's, the official SDKs) can use Bindery's encoders. {@code model} names a
 * collection (its model package embeds) or a model package; {@code input} is a string, or an array
 * whose elements are strings or, as a Bindery extension in the shape chat messages use, content
 * parts: {@code {"type":"text","text":...}}, {@code {"type":"image_url","image_url":{"url":
 * "data:image/png;base64,..."}}}, {@code {"type":"audio_url","audio_url":{"url":"data:audio/wav;
 * base64,..."}}} or {@code
 * {"type":"input_audio","input_audio":{"data":"<base64>","format":"wav"}}}. Every element gets one
 * embedding, in one space. Errors here are OpenAI's shape ({@code {"error":
 * {"message","type","param","code"}}}), not problem+json, because OpenAI clients read that one.
 */
final class EmbeddingsController {
  /** Most inputs in one request (OpenAI's limit too). */
  static final int MAX_INPUTS = 2048;

  private static final String CLASSPATH_MODELS = "classpath:/models/";
  private static final Set<String> MEMBERS =
      Set.of("model", "input", "encoding_format", "dimensions", "user");

  private final ProblemMapper problems;
  private final Bindery bindery;
  private final ServerConfig config;
  private final HttpIo io;
  private final SearchPool pool;
  private final ImageDecoder images = new ImageDecoder();
  private final AudioDecoder audio = new AudioDecoder();

  EmbeddingsController(
      Bindery bindery, ServerConfig config, HttpIo io, SearchPool pool, ProblemMapper problems) {
    this.problems = problems;
    this.bindery = bindery;
    this.config = config;
    this.io = io;
    this.pool = pool;
  }

  /** The request, as documented; the handler reads the JSON tree (input is a union). */
  @Doc("OpenAI-compatible embeddings request.")
  public record EmbeddingsRequest(
      @Doc(
              value =
                  "A collection name (its model package embeds) or a model package name"
                      + " (minilm-l6-v2, bindery-mini, or a package in a configured model"
                      + " directory).",
              required = true)
          String model,
      @Doc(
              value =
                  "A string, or an array of strings and content parts ({\"type\":\"image_url\","
                      + "\"image_url\":{\"url\":\"data:image/png;base64,...\"}}, audio_url,"
                      + " input_audio, text); one embedding each.",
              required = true)
          JsonNode input,
      @Doc("float (default) or base64 (little-endian float32).") String encodingFormat,
      @Doc("If given, must equal the model's dimension (Bindery does not shorten vectors).")
          Integer dimensions,
      @Doc("Ignored; accepted for compatibility.") String user) {}

  @Doc("OpenAI-compatible embeddings response.")
  public record EmbeddingsBody(
      String object, List<EmbeddingData> data, String model, Usage usage) {}

  @Doc("One embedding, in input order.")
  public record EmbeddingData(
      String object,
      int index,
      @Doc("Numbers, or a base64 string of little-endian float32 for encoding_format=base64.")
          Object embedding) {}

  @Doc("Token counts of the text inputs (images and audio count none).")
  public record Usage(long promptTokens, long totalTokens) {}

  /** OpenAI's error body. */
  public record ErrorBody(ErrorDetail error) {}

  /** OpenAI's error detail. */
  public record ErrorDetail(String message, String type, String param, String code) {}

  /** A request error in OpenAI's terms. */
  static final class OpenAiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String param;
    final String code;

    OpenAiError(int status, String message, String param, String code) {
      super(message);
      this.status = status;
      this.param = param;
      this.code = code;
    }
  }

  List<Route> routes() {
    return List.of(
        Route.of(HandlerType.POST, "/v1/embeddings", "createEmbeddings")
            .summary(
                "OpenAI-compatible embeddings of texts, images and audio with a collection's or a"
                    + " named model package")
            .scope(Scope.READ)
            .body(EmbeddingsRequest.class)
            .responds(200, EmbeddingsBody.class)
            .errors(404, 503)
            .handler(this::embeddings));
  }

  private void embeddings(Context ctx, Caller caller) throws Exception {
    try {
      JsonNode body = io.json().readTree(io.body(ctx), "request body");
      EmbeddingsBody out = pool.run("embeddings", () -> embed(body));
      io.json(ctx, 200, out);
    } catch (OpenAiError e) {
      writeError(ctx, e.status, e.getMessage(), e.param, e.code);
    } catch (CollectionNotFoundException e) {
      writeError(ctx, 404, e.getMessage(), "model", "model_not_found");
    } catch (ApiProblem | IllegalArgumentException e) {
      // The status comes from the one mapping every other route uses; only the body's shape is
      // OpenAI's here.
      ApiProblem p = problems.map(e);
      writeError(ctx, p.status(), p.detail() == null ? p.title() : p.detail(), null, null);
      p.headers().forEach(ctx::header);
    }
  }

  private void writeError(Context ctx, int status, String message, String param, String code) {
    String type =
        switch (status) {
          case 401 -> "authentication_error";
          case 403 -> "permission_error";
          case 404 -> "not_found_error";
          case 413, 400 -> "invalid_request_error";
          case 503 -> "server_error";
          default -> status >= 500 ? "server_error" : "invalid_request_error";
        };
    io.json(ctx, status, new ErrorBody(new ErrorDetail(message, type, param, code)));
  }

  private EmbeddingsBody embed(JsonNode body) {
    if (!body.isObject()) {
      throw invalid("request body must be a JSON object", null);
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!MEMBERS.contains(name)) {
        throw invalid(
            "Unrecognized request argument supplied: " + abbreviate(name) + "; known: " + MEMBERS,
            name);
      }
    }
    String model = text(body, "model", true);
    String format = Optional.ofNullable(text(body, "encoding_format", false)).orElse("float");
    if (!format.equals("float") && !format.equals("base64")) {
      throw invalid(
          "encoding_format must be 'float' or 'base64', got '" + abbreviate(format) + "'",
          "encoding_format");
    }
    ModelPackage pkg = bindery.modelPackage(resolve(model));
    Integer dimensions = null;
    if (body.hasNonNull("dimensions")) {
      if (!body.get("dimensions").canConvertToInt()) {
        throw invalid("dimensions must be an integer", "dimensions");
      }
      dimensions = body.get("dimensions").intValue();
    }
    List<JsonNode> inputs = inputs(body.get("input"));
    List<float[]> vectors = new ArrayList<>(inputs.size());
    long tokens = 0;
    List<String> texts = new ArrayList<>();
    List<Integer> textAt = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode in = inputs.get(i);
      String where =
          inputs.size() == 1 && !body.get("input").isArray() ? "input" : "input[" + i + "]";
      if (in.isTextual() || isPart(in, "text")) {
        String t = in.isTextual() ? in.asText() : partText(in, where);
        if (t.isEmpty()) {
          throw invalid(where + " is an empty string", "input");
        }
        textAt.add(i);
        texts.add(t);
        vectors.add(null);
      } else if (isPart(in, "image_url")) {
        DataUrl url = DataUrl.parse(nestedUrl(in, "image_url", where), where + ".image_url.url");
        Encoder<BufferedImage> enc = tower(pkg, Modality.IMAGE, model).imageEncoder();
        vectors.add(enc.encode(images.decode(url.bytes(), "input." + url.extension())));
      } else if (isPart(in, "audio_url")) {
        DataUrl url = DataUrl.parse(nestedUrl(in, "audio_url", where), where + ".audio_url.url");
        vectors.add(encodeAudio(pkg, model, url.bytes(), url.extension()));
      } else if (isPart(in, "input_audio")) {
        JsonNode a = in.get("input_audio");
        if (a == null || !a.path("data").isTextual() || !a.path("format").isTextual()) {
          throw invalid(where + ".input_audio needs string members 'data' and 'format'", "input");
        }
        byte[] bytes;
        try {
          bytes = Base64.getMimeDecoder().decode(a.get("data").asText());
        } catch (IllegalArgumentException e) {
          throw invalid(
              where + ".input_audio.data is not valid base64: " + e.getMessage(), "input");
        }
        String ext = a.get("format").asText().toLowerCase(Locale.ROOT);
        if (!MediaTypes.AUDIO_EXTENSIONS.contains(ext)) {
          throw invalid(
              where
                  + ".input_audio.format '"
                  + abbreviate(ext)
                  + "' is not one Bindery decodes; known: "
                  + new java.util.TreeSet<>(MediaTypes.AUDIO_EXTENSIONS),
              "input");
        }
        vectors.add(encodeAudio(pkg, model, bytes, ext));
      } else {
        throw invalid(
            where
                + " must be a string or a content part {\"type\": \"text\" | \"image_url\" |"
                + " \"audio_url\" | \"input_audio\", ...}; token arrays are not accepted (Bindery"
                + " tokenizes itself)",
            "input");
      }
    }
    if (!texts.isEmpty()) {
      Encoder<String> enc = tower(pkg, Modality.TEXT, model).textEncoder();
      List<float[]> embedded = enc.encodeBatch(texts);
      for (int j = 0; j < embedded.size(); j++) {
        vectors.set(textAt.get(j), embedded.get(j));
      }
      if (enc instanceof TextEncoder te) {
        tokens = tokenCount(te.preprocess(texts));
      }
    }
    int dim = vectors.get(0).length;
    if (dimensions != null && dimensions != dim) {
      throw invalid(
          "model '"
              + abbreviate(model)
              + "' embeds into "
              + dim
              + " dimensions; dimensions="
              + dimensions
              + " cannot be served (Bindery does not shorten vectors)",
          "dimensions");
    }
    List<EmbeddingData> data = new ArrayList<>(vectors.size());
    for (int i = 0; i < vectors.size(); i++) {
      float[] v = vectors.get(i);
      data.add(new EmbeddingData("embedding", i, format.equals("base64") ? base64(v) : v));
    }
    return new EmbeddingsBody("list", data, model, new Usage(tokens, tokens));
  }

  /** The package location {@code model} stands for: a collection's, or a named package. */
  private String resolve(String model) {
    if (model.startsWith("classpath:")) {
      if (!model.startsWith(CLASSPATH_MODELS) || model.contains("..")) {
        throw notFound(
            "model '" + abbreviate(model) + "': classpath packages live under " + CLASSPATH_MODELS);
      }
      return model;
    }
    try {
      Names.checkName("model", model);
    } catch (IllegalArgumentException e) {
      throw notFound(
          "model '"
              + abbreviate(model)
              + "' must be a collection name or a model package name such as minilm-l6-v2;"
              + " paths are not accepted over HTTP");
    }
    if (bindery.listCollections().contains(model)) {
      return bindery
          .modelLocation(model)
          .orElseThrow(
              () ->
                  invalid(
                      "collection '"
                          + model
                          + "' holds raw vectors and has no model package to embed with",
                      "model"));
    }
    for (Path dir : config.modelDirs()) {
      Path candidate = dir.resolve(model);
      if (Files.isDirectory(candidate)) {
        return candidate.toAbsolutePath().normalize().toString();
      }
    }
    String location = CLASSPATH_MODELS + model;
    if (EmbeddingsController.class.getResource("/models/" + model + "/bindery-model.json")
        == null) {
      throw notFound(
          "The model '"
              + model
              + "' does not exist: it is neither a collection nor a model package (in the jar or"
              + " a configured model directory)");
    }
    return location;
  }

  private static ModelPackage tower(ModelPackage pkg, Modality m, String model) {
    if (!pkg.modalities().contains(m)) {
      throw invalid(
          "model '"
              + abbreviate(model)
              + "' ("
              + pkg.name()
              + ") has no "
              + m.wireName()
              + " tower; it embeds "
              + pkg.modalities(),
          "input");
    }
    return pkg;
  }

  private float[] encodeAudio(ModelPackage pkg, String model, byte[] bytes, String ext) {
    Encoder<AudioSignal> enc = tower(pkg, Modality.AUDIO, model).audioEncoder();
    return enc.encode(audio.decode(bytes, "input." + ext));
  }

  private static long tokenCount(TokenBatch batch) {
    long n = 0;
    for (long m : batch.attentionMask().data()) {
      n += m;
    }
    return n;
  }

  private static List<JsonNode> inputs(JsonNode input) {
    if (input == null || input.isNull()) {
      throw invalid("'input' is required", "input");
    }
    List<JsonNode> out = new ArrayList<>();
    if (input.isArray()) {
      if (input.isEmpty()) {
        throw invalid("'input' is an empty array", "input");
      }
      if (input.size() > MAX_INPUTS) {
        throw invalid(
            "'input' has " + input.size() + " elements; at most " + MAX_INPUTS + " per request",
            "input");
      }
      input.forEach(out::add);
    } else {
      out.add(input);
    }
    return out;
  }

  private static boolean isPart(JsonNode n, String type) {
    return n.isObject() && type.equals(n.path("type").asText(null));
  }

  private static String partText(JsonNode n, String where) {
    if (!n.path("text").isTextual()) {
      throw invalid(where + ": a text part needs a string member 'text'", "input");
    }
    return n.get("text").asText();
  }

  private static String nestedUrl(JsonNode n, String member, String where) {
    JsonNode url = n.path(member).path("url");
    if (!url.isTextual()) {
      throw invalid(where + ": needs {\"" + member + "\": {\"url\": \"data:...\"}}", "input");
    }
    return url.asText();
  }

  private static String text(JsonNode body, String member, boolean required) {
    JsonNode n = body.get(member);
    if (n == null || n.isNull()) {
      if (required) {
        throw invalid("'" + member + "' is required", member);
      }
      return null;
    }
    if (!n.isTextual()) {
      throw invalid("'" + member + "' must be a string", member);
    }
    return n.asText();
  }

  private static String base64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  private static OpenAiError invalid(String message, String param) {
    return new OpenAiError(400, message, param, null);
  }

  private static OpenAiError notFound(String message) {
    return new OpenAiError(404, message, "model", "model_not_found");
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
