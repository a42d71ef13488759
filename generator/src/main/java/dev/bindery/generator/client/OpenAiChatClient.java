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
 * A client of OpenAI-compatible chat completions, {@code POST {endpoint}/v1/chat/completions}, the
 * protocol of OpenAI, vLLM, llama.cpp's server, LM Studio and Ollama's compatibility endpoint.
 *
 * <p>Request: the system prompt as the first {@code system} message; a message with only text parts
 * has a string {@code content}, one with images a content array of {@code {"type":"text"}} and
 * {@code {"type":"image_url","image_url":{"url":"data:image/png;base64,..."}}} parts in order;
 * {@code max_tokens}, {@code temperature}, {@code stream}, and when streaming {@code
 * "stream_options":{"include_usage":true}} so the last chunk carries token counts.
 *
 * <p>Response: {@code choices[0].message.content}, {@code choices[0].finish_reason}, {@code usage}.
 * A stream is server-sent events: each {@code data: {...}} line is one chunk whose {@code
 * choices[0].delta.content} is the next piece of text; {@code data: [DONE]} ends it (a stream that
 * ends without it is accepted only if a chunk carried a {@code finish_reason}); comment lines and
 * other SSE fields are ignored. A streamed request answered with {@code application/json} is read
 * as a whole answer. Thread-safe.
 */
public final class OpenAiChatClient implements Generator {
  /** The API path under the endpoint. */
  public static final String PATH = "/v1/chat/completions";

  private static final String DONE = "[DONE]";

  private final GeneratorConfig config;
  private final ChatTransport transport;
  private final ObjectMapper json = new ObjectMapper();

  public OpenAiChatClient(GeneratorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.transport = new ChatTransport(config, config.resolve(PATH), json);
  }

  @Override
  public String describe() {
    return "openai:" + config.model() + " at " + transport.url();
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
          if (request.stream() && !contentType.startsWith("application/json")) {
            return readStream(lines, listener, attempts, fields);
          }
          GenerationResponse r = readWhole(lines, attempts, fields);
          if (!r.text().isEmpty()) {
            listener.onDelta(r.text());
          }
          return r;
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
      ObjectNode msg = messages.addObject().put("role", m.role().wireName());
      if (m.textOnly()) {
        msg.put("content", m.joinedText());
        continue;
      }
      ArrayNode content = msg.putArray("content");
      for (ContentPart p : m.parts()) {
        switch (p) {
          case ContentPart.Text t -> content.addObject().put("type", "text").put("text", t.text());
          case ContentPart.Image i ->
              content
                  .addObject()
                  .put("type", "image_url")
                  .putObject("image_url")
                  .put("url", i.dataUrl());
        }
      }
    }
    root.put("max_tokens", request.maxTokens());
    root.put("temperature", request.temperature());
    root.put("stream", request.stream());
    if (request.stream()) {
      root.putObject("stream_options").put("include_usage", true);
    }
    try {
      return json.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize a chat request: " + e, e);
    }
  }

  private GenerationResponse readWhole(ChatTransport.Lines lines, int attempts, JsonFields fields) {
    StringBuilder sb = new StringBuilder();
    String line;
    while ((line = lines.next()) != null) {
      sb.append(line).append('\n');
    }
    JsonNode root = parse(sb.toString(), "the response", fields);
    checkError(root, attempts);
    JsonNode choices = root.get("choices");
    if (choices == null || !choices.isArray() || choices.isEmpty()) {
      throw fields.malformed(
          "the response has no 'choices' (got " + JsonFields.kind(choices) + ")");
    }
    JsonNode choice = choices.get(0);
    if (!choice.isObject()) {
      throw fields.malformed("'choices[0]' is " + JsonFields.kind(choice) + ", expected an object");
    }
    JsonNode message = fields.object(choice, "message", "choices[0].message");
    String text = fields.optionalText(message, "content", "choices[0].message.content");
    String finish = fields.optionalText(choice, "finish_reason", "choices[0].finish_reason");
    return new GenerationResponse(
        text == null ? "" : text,
        FinishReason.fromWire(finish),
        usage(root, fields),
        model(root, fields),
        attempts);
  }

  private GenerationResponse readStream(
      ChatTransport.Lines lines, DeltaListener listener, int attempts, JsonFields fields) {
    StringBuilder text = new StringBuilder();
    String finish = null;
    Usage usage = Usage.UNKNOWN;
    String model = null;
    boolean done = false;
    String line;
    while (!done && (line = lines.next()) != null) {
      if (line.isEmpty() || line.startsWith(":") || !line.startsWith("data:")) {
        continue; // blank separators, comments, and the event/id/retry fields
      }
      String data = line.substring(5);
      data = data.startsWith(" ") ? data.substring(1) : data;
      if (data.strip().equals(DONE)) {
        done = true;
        continue;
      }
      String where = "stream line " + lines.count();
      JsonNode chunk = parse(data, where, fields);
      checkError(chunk, attempts);
      JsonNode choices = chunk.get("choices");
      if (choices != null && !choices.isNull() && !choices.isArray()) {
        throw fields.malformed(
            "'choices' of " + where + " is " + JsonFields.kind(choices) + ", expected an array");
      }
      if (choices != null && choices.isArray() && !choices.isEmpty()) {
        JsonNode choice = choices.get(0);
        JsonNode delta = choice.get("delta");
        if (delta != null && delta.isObject()) {
          String piece = fields.optionalText(delta, "content", where + " choices[0].delta.content");
          if (piece != null && !piece.isEmpty()) {
            text.append(piece);
            listener.onDelta(piece);
          }
        } else if (delta != null && !delta.isNull()) {
          throw fields.malformed(
              "'choices[0].delta' of " + where + " is " + JsonFields.kind(delta));
        }
        String f =
            fields.optionalText(choice, "finish_reason", where + " choices[0].finish_reason");
        finish = f != null ? f : finish;
      }
      if (chunk.hasNonNull("usage")) {
        usage = usage(chunk, fields);
      }
      String m = fields.optionalText(chunk, "model", where + " model");
      model = m != null ? m : model;
    }
    if (!done && finish == null) {
      throw fields.malformed(
          "the stream ended before 'data: [DONE]' or a finish_reason (after "
              + lines.count()
              + " lines, "
              + text.length()
              + " characters of text)");
    }
    return new GenerationResponse(
        text.toString(),
        FinishReason.fromWire(finish),
        usage,
        model == null ? config.model() : model,
        attempts);
  }

  private JsonNode parse(String data, String where, JsonFields fields) {
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
    return root;
  }

  private void checkError(JsonNode root, int attempts) {
    JsonNode error = root.get("error");
    if (error == null || error.isNull()) {
      return;
    }
    String message =
        error.isTextual()
            ? error.asText()
            : error.path("message").isTextual() ? error.path("message").asText() : error.toString();
    throw transport.errorInBody(attempts, message);
  }

  private static Usage usage(JsonNode root, JsonFields fields) {
    JsonNode u = root.get("usage");
    if (u == null || u.isNull()) {
      return Usage.UNKNOWN;
    }
    if (!u.isObject()) {
      throw fields.malformed("'usage' is " + JsonFields.kind(u) + ", expected an object");
    }
    return new Usage(
        fields.optionalCount(u, "prompt_tokens", "usage.prompt_tokens"),
        fields.optionalCount(u, "completion_tokens", "usage.completion_tokens"));
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
    return "OpenAiChatClient[" + describe() + "]";
  }
}
