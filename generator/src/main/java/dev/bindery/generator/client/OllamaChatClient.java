package dev.bindery.generator.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.generator.ChatMessage;
import dev.bindery.generator.ContentPart;
import dev.bindery.generator.DeltaListener;
import dev.bindery.generator.FinishReason;
import dev.bindery.generator.GenerationRequest;
import dev.bindery.generator.GenerationResponse;
import dev.bindery.generator.Generator;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.Usage;
import java.util.Objects;

/**
 * A client of Ollama's native chat API, {@code POST {endpoint}/api/chat}.
 *
 * <p>Request: the system prompt as the first {@code system} message; each message's text parts
 * joined by blank lines as {@code content} and its images as a base64 list in {@code images}
 * (Ollama places them before the text, so ids that label images belong in the text); {@code
 * stream}; {@code options.num_predict} and {@code options.temperature}.
 *
 * <p>Response: {@code message.content}, {@code done_reason}, {@code prompt_eval_count} and {@code
 * eval_count}. A stream is newline-delimited JSON: each line's {@code message.content} is the next
 * piece, and the line with {@code "done": true} ends it (a stream without one is malformed); a line
 * with {@code error} fails the call. Thread-safe.
 */
public final class OllamaChatClient implements Generator {
  /** The API path under the endpoint. */
  public static final String PATH = "/api/chat";

  private final GeneratorConfig config;
  private final ChatTransport transport;
  private final ObjectMapper json = new ObjectMapper();

  public OllamaChatClient(GeneratorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.transport = new ChatTransport(config, config.resolve(PATH), json);
  }

  @Override
  public String describe() {
    return "ollama:" + config.model() + " at " + transport.url();
  }

  @Override
  public GenerationResponse generate(GenerationRequest request, DeltaListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    byte[] body = requestBody(request);
    return transport.post(
        body,
        request.stream(),
        (lines, contentType, attempts) -> {
          JsonFields fields =
              new JsonFields((detail, cause) -> transport.malformed(attempts, detail, cause));
          return request.stream()
              ? readStream(lines, listener, attempts, fields)
              : readWhole(lines, listener, attempts, fields);
        });
  }

  /** The JSON request body. */
  byte[] requestBody(GenerationRequest request) {
    ObjectNode root = json.createObjectNode();
    root.put("model", config.model());
    ArrayNode messages = root.putArray("messages");
    if (request.systemPrompt() != null) {
      messages.addObject().put("role", "system").put("content", request.systemPrompt());
    }
    for (ChatMessage m : request.messages()) {
      ObjectNode msg = messages.addObject();
      msg.put("role", m.role().wireName()).put("content", m.joinedText());
      if (!m.textOnly()) {
        ArrayNode images = msg.putArray("images");
        for (ContentPart.Image i : m.images()) {
          images.add(i.base64());
        }
      }
    }
    root.put("stream", request.stream());
    root.putObject("options")
        .put("num_predict", request.maxTokens())
        .put("temperature", request.temperature());
    try {
      return json.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a chat request: " + e, e);
    }
  }

  private GenerationResponse readWhole(
      ChatTransport.Lines lines, DeltaListener listener, int attempts, JsonFields fields) {
    StringBuilder sb = new StringBuilder();
    String line;
    while ((line = lines.next()) != null) {
      sb.append(line).append('\n');
    }
    JsonNode root = parse(sb.toString(), "the response", fields, attempts);
    JsonNode message = fields.object(root, "message", "message");
    String text = fields.optionalText(message, "content", "message.content");
    if (text == null) {
      throw fields.malformed("the response has no 'message.content'");
    }
    if (!text.isEmpty()) {
      listener.onDelta(text);
    }
    return new GenerationResponse(
        text,
        FinishReason.fromWire(fields.optionalText(root, "done_reason", "done_reason")),
        usage(root, fields),
        model(root, fields),
        attempts);
  }

  private GenerationResponse readStream(
      ChatTransport.Lines lines, DeltaListener listener, int attempts, JsonFields fields) {
    StringBuilder text = new StringBuilder();
    String line;
    while ((line = lines.next()) != null) {
      if (line.isBlank()) {
        continue;
      }
      String where = "stream line " + lines.count();
      JsonNode chunk = parse(line, where, fields, attempts);
      JsonNode message = chunk.get("message");
      if (message != null && !message.isNull()) {
        if (!message.isObject()) {
          throw fields.malformed(
              "'message' of " + where + " is " + JsonFields.kind(message) + ", expected an object");
        }
        String piece = fields.optionalText(message, "content", where + " message.content");
        if (piece != null && !piece.isEmpty()) {
          text.append(piece);
          listener.onDelta(piece);
        }
      }
      JsonNode done = chunk.get("done");
      if (done != null && !done.isBoolean()) {
        throw fields.malformed("'done' of " + where + " is " + JsonFields.kind(done));
      }
      if (done != null && done.asBoolean()) {
        return new GenerationResponse(
            text.toString(),
            FinishReason.fromWire(
                fields.optionalText(chunk, "done_reason", where + " done_reason")),
            usage(chunk, fields),
            model(chunk, fields),
            attempts);
      }
    }
    throw fields.malformed(
        "the stream ended before a line with \"done\": true (after "
            + lines.count()
            + " lines, "
            + text.length()
            + " characters of text)");
  }

  private JsonNode parse(String data, String where, JsonFields fields, int attempts) {
    JsonNode root;
    try {
      root = json.readTree(data);
    } catch (JsonProcessingException e) {
      throw fields.malformed(
          where
              + " is not valid JSON ("
              + e.getOriginalMessage()
              + "): "
              + ChatTransport.truncate(data.strip()),
          e);
    }
    if (root == null || !root.isObject()) {
      throw fields.malformed(where + " is " + JsonFields.kind(root) + ", expected a JSON object");
    }
    JsonNode error = root.get("error");
    if (error != null && !error.isNull()) {
      throw transport.errorInBody(attempts, error.isTextual() ? error.asText() : error.toString());
    }
    return root;
  }

  private static Usage usage(JsonNode root, JsonFields fields) {
    return new Usage(
        fields.optionalCount(root, "prompt_eval_count", "prompt_eval_count"),
        fields.optionalCount(root, "eval_count", "eval_count"));
  }

  private String model(JsonNode root, JsonFields fields) {
    String m = fields.optionalText(root, "model", "model");
    return m == null ? config.model() : m;
  }

  @Override
  public void close() {
    transport.close();
  }

  @Override
  public String toString() {
    return "OllamaChatClient[" + describe() + "]";
  }
}
