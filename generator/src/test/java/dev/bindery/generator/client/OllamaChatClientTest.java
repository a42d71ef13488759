package dev.bindery.generator.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bindery.generator.ChatMessage;
import dev.bindery.generator.ContentPart;
import dev.bindery.generator.FinishReason;
import dev.bindery.generator.GenerationRequest;
import dev.bindery.generator.GenerationResponse;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorException;
import dev.bindery.generator.GeneratorException.Kind;
import dev.bindery.generator.Usage;
import dev.bindery.generator.testing.RecordingChatServer;
import dev.bindery.generator.testing.RecordingChatServer.Reply;
import dev.bindery.generator.testing.TestImages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Ollama's native chat API against a real local HTTP server that replays canned replies. */
class OllamaChatClientTest {
  private RecordingChatServer server;

  @BeforeEach
  void start() {
    server = new RecordingChatServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private OllamaChatClient client() {
    return new OllamaChatClient(
        GeneratorConfig.of(server.url(), "llava:7b")
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
            .withRetries(1, Duration.ofMillis(10)));
  }

  private static GenerationRequest imageRequest(byte[] png, boolean stream) {
    return new GenerationRequest(
        "Answer briefly.",
        List.of(
            ChatMessage.user(
                List.of(
                    new ContentPart.Text("[a] a picture"),
                    new ContentPart.Image(png, "image/png"),
                    new ContentPart.Text("What is it?")))),
        32,
        0.0,
        stream);
  }

  @Test
  void sendsImagesAsBase64ListAndOptions() {
    server.enqueue(
        Reply.json(
            200,
            "{\"model\":\"llava:7b\",\"created_at\":\"2024-01-01T00:00:00Z\",\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"A square [a].\"},\"done\":true,\"done_reason\":"
                + "\"stop\",\"prompt_eval_count\":33,\"eval_count\":5}"));
    byte[] png = TestImages.png(4, 4, 0x00ff00);
    GenerationResponse r;
    try (OllamaChatClient c = client()) {
      r = c.generate(imageRequest(png, false));
    }
    assertEquals("A square [a].", r.text());
    assertEquals(FinishReason.STOP, r.finishReason());
    assertEquals(new Usage(33, 5), r.usage());

    var rec = server.requests().get(0);
    assertEquals("/api/chat", rec.path());
    assertEquals(null, rec.header("Authorization"), "no key configured, no header");
    JsonNode body = rec.json();
    assertEquals("llava:7b", body.get("model").asText());
    assertFalse(body.get("stream").asBoolean());
    assertEquals(32, body.get("options").get("num_predict").asInt());
    assertEquals(0.0, body.get("options").get("temperature").asDouble());
    JsonNode messages = body.get("messages");
    assertEquals("system", messages.get(0).get("role").asText());
    assertEquals("Answer briefly.", messages.get(0).get("content").asText());
    assertEquals("[a] a picture\n\nWhat is it?", messages.get(1).get("content").asText());
    assertEquals(1, messages.get(1).get("images").size());
    assertEquals(
        Base64.getEncoder().encodeToString(png), messages.get(1).get("images").get(0).asText());
  }

  @Test
  void reassemblesNdjsonSplitAcrossWrites() {
    String ndjson =
        "{\"model\":\"llava:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"Gr\u00fc\"},"
            + "\"done\":false}\n"
            + "{\"model\":\"llava:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"\u00dfe"
            + " [a]\"},\"done\":false}\n"
            + "\n"
            + "{\"model\":\"llava:7b\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
            + "\"done\":true,\"done_reason\":\"length\",\"prompt_eval_count\":10,\"eval_count\":2}\n";
    server.enqueue(Reply.everyNBytes("application/x-ndjson", ndjson, 5));
    List<String> deltas = new ArrayList<>();
    GenerationResponse r;
    try (OllamaChatClient c = client()) {
      r = c.generate(imageRequest(TestImages.png(2, 2, 0), true), deltas::add);
    }
    assertEquals(List.of("Gr\u00fc", "\u00dfe [a]"), deltas);
    assertEquals("Gr\u00fc\u00dfe [a]", r.text());
    assertEquals(FinishReason.LENGTH, r.finishReason());
    assertEquals(new Usage(10, 2), r.usage());
    assertTrue(server.requests().get(0).json().get("stream").asBoolean());
  }

  @Test
  void aMissingModelIsRejectedWithOllamasMessage() {
    server.enqueue(
        Reply.json(404, "{\"error\":\"model \\\"llava:7b\\\" not found, try pulling it first\"}"));
    GeneratorException e;
    try (OllamaChatClient c = client()) {
      e =
          assertThrows(
              GeneratorException.class, () -> c.generate(imageRequest(new byte[] {1}, false)));
    }
    assertEquals(Kind.REJECTED, e.kind());
    assertEquals(404, e.status());
    assertTrue(e.getMessage().contains("not found, try pulling it first"), e.getMessage());
    assertTrue(e.getMessage().contains(server.url() + "/api/chat"), e.getMessage());
  }

  @Test
  void aStreamWithoutDoneOrWithAnErrorLineFails() {
    server.enqueue(
        Reply.split("application/x-ndjson", "{\"message\":{\"content\":\"x\"},\"done\":false}\n"));
    GeneratorException e;
    try (OllamaChatClient c = client()) {
      e =
          assertThrows(
              GeneratorException.class, () -> c.generate(imageRequest(new byte[] {1}, true)));
    }
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("\"done\": true"), e.getMessage());

    server.enqueue(
        Reply.split(
            "application/x-ndjson",
            "{\"message\":{\"content\":\"x\"},\"done\":false}\n{\"error\":\"runner crashed\"}\n"));
    try (OllamaChatClient c = client()) {
      e =
          assertThrows(
              GeneratorException.class, () -> c.generate(imageRequest(new byte[] {1}, true)));
    }
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains("runner crashed"), e.getMessage());
  }

  @Test
  void aWholeAnswerWithoutContentIsMalformed() {
    server.enqueue(Reply.json(200, "{\"message\":{\"role\":\"assistant\"},\"done\":true}"));
    GeneratorException e;
    try (OllamaChatClient c = client()) {
      e =
          assertThrows(
              GeneratorException.class, () -> c.generate(imageRequest(new byte[] {1}, false)));
    }
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("message.content"), e.getMessage());
  }
}
