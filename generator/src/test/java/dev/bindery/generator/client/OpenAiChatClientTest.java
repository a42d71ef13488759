package dev.bindery.generator.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import dev.bindery.generator.testing.RecordingChatServer.Recorded;
import dev.bindery.generator.testing.RecordingChatServer.Reply;
import dev.bindery.generator.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible client against a real local HTTP server that replays canned replies. */
class OpenAiChatClientTest {
  private static final String OK =
      "{\"id\":\"x\",\"model\":\"llava-test\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
          + "\"assistant\",\"content\":\"A red square [img-1].\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,\"total_tokens\":127}}";

  private RecordingChatServer server;

  @BeforeEach
  void start() {
    server = new RecordingChatServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private GeneratorConfig config(String url) {
    return GeneratorConfig.of(url, "llava-test")
        .withApiKey("sk-test")
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
        .withRetries(2, Duration.ofMillis(10));
  }

  private static GenerationRequest request(boolean stream) {
    return GenerationRequest.of(ChatMessage.user("What is it?"), 64, 0.2).withStream(stream);
  }

  @Test
  void sendsSystemPromptImagesAsDataUrlsAndParsesTheAnswer() {
    server.enqueue(Reply.json(200, OK));
    byte[] png = TestImages.png(12, 8, 0xff0000);
    GenerationRequest req =
        new GenerationRequest(
            "Cite with [id].",
            List.of(
                ChatMessage.user(
                    List.of(
                        new ContentPart.Text("[img-1]"),
                        new ContentPart.Image(png, "image/png"),
                        new ContentPart.Text("What colour?")))),
            64,
            0.3,
            false);
    List<String> deltas = new ArrayList<>();
    GenerationResponse r;
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      r = client.generate(req, deltas::add);
    }
    assertEquals("A red square [img-1].", r.text());
    assertEquals(FinishReason.STOP, r.finishReason());
    assertEquals(new Usage(120, 7), r.usage());
    assertEquals("llava-test", r.model());
    assertEquals(1, r.attempts());
    assertEquals(List.of("A red square [img-1]."), deltas);

    Recorded rec = server.requests().get(0);
    assertEquals("POST", rec.method());
    assertEquals("/v1/chat/completions", rec.path());
    assertEquals("Bearer sk-test", rec.header("Authorization"));
    assertEquals("application/json", rec.header("Content-Type"));
    JsonNode body = rec.json();
    assertEquals("llava-test", body.get("model").asText());
    assertEquals(64, body.get("max_tokens").asInt());
    assertEquals(0.3, body.get("temperature").asDouble(), 1e-12);
    assertFalse(body.get("stream").asBoolean());
    assertFalse(body.has("stream_options"));
    JsonNode messages = body.get("messages");
    assertEquals(2, messages.size());
    assertEquals("system", messages.get(0).get("role").asText());
    assertEquals("Cite with [id].", messages.get(0).get("content").asText());
    JsonNode content = messages.get(1).get("content");
    assertEquals("user", messages.get(1).get("role").asText());
    assertEquals(3, content.size());
    assertEquals("text", content.get(0).get("type").asText());
    assertEquals("[img-1]", content.get(0).get("text").asText());
    assertEquals("image_url", content.get(1).get("type").asText());
    String url = content.get(1).get("image_url").get("url").asText();
    assertTrue(url.startsWith("data:image/png;base64,"), url);
    assertArrayEquals(png, Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1)));
    assertEquals("What colour?", content.get(2).get("text").asText());
  }

  @Test
  void textOnlyMessagesSendStringContentAndEndpointMayEndInV1() {
    server.enqueue(Reply.json(200, OK));
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url() + "/v1/"))) {
      client.generate(request(false));
    }
    Recorded rec = server.requests().get(0);
    assertEquals("/v1/chat/completions", rec.path());
    JsonNode messages = rec.json().get("messages");
    assertEquals(1, messages.size(), "no system prompt, no system message");
    assertTrue(messages.get(0).get("content").isTextual());
    assertEquals("What is it?", messages.get(0).get("content").asText());
  }

  @Test
  void reassemblesAStreamSplitAcrossWrites() {
    String sse =
        ": keep-alive\n\n"
            + "data: {\"model\":\"llava-test\",\"choices\":[{\"index\":0,\"delta\":{\"role\":"
            + "\"assistant\"},\"finish_reason\":null}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Caf\u00e9 \"}}]}\r\n\r\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\ud83d\ude00 ok\"}}]}\n\n"
            + "event: message\n"
            + "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" [a]\"},"
            + "\"finish_reason\":\"length\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3}}\n\n"
            + "data: [DONE]\n\n";
    // Every 7 bytes: lines, the "data:" prefix, the é and the emoji's four bytes all get split.
    server.enqueue(Reply.everyNBytes("text/event-stream", sse, 7));
    List<String> deltas = new ArrayList<>();
    GenerationResponse r;
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      r = client.generate(request(true), deltas::add);
    }
    assertEquals(List.of("Caf\u00e9 ", "\ud83d\ude00 ok", " [a]"), deltas);
    assertEquals("Caf\u00e9 \ud83d\ude00 ok [a]", r.text());
    assertEquals(FinishReason.LENGTH, r.finishReason());
    assertEquals(new Usage(9, 3), r.usage());
    assertEquals("llava-test", r.model());
    JsonNode body = server.requests().get(0).json();
    assertTrue(body.get("stream").asBoolean());
    assertTrue(body.get("stream_options").get("include_usage").asBoolean());
  }

  @Test
  void aStreamedRequestAnsweredWithWholeJsonIsReadWhole() {
    server.enqueue(Reply.json(200, OK));
    List<String> deltas = new ArrayList<>();
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      assertEquals("A red square [img-1].", client.generate(request(true), deltas::add).text());
    }
    assertEquals(List.of("A red square [img-1]."), deltas);
  }

  @Test
  void malformedJsonIsAnErrorNamingTheEndpointAndIsNotRetried() {
    server.enqueue(Reply.json(200, "{\"choices\": [ oops"));
    GeneratorException e = call(request(false));
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains(server.url() + "/v1/chat/completions"), e.getMessage());
    assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
    assertEquals(1, server.requests().size());
  }

  @Test
  void missingOrMistypedFieldsAreNamed() {
    server.enqueue(Reply.json(200, "{\"id\":\"x\"}"));
    GeneratorException e = call(request(false));
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("no 'choices'"), e.getMessage());

    server.enqueue(Reply.json(200, "{\"choices\":[{\"message\":{\"content\":42}}]}"));
    e = call(request(false));
    assertTrue(e.getMessage().contains("'choices[0].message.content' is a number"), e.getMessage());

    server.enqueue(Reply.json(200, "[1,2]"));
    e = call(request(false));
    assertTrue(e.getMessage().contains("expected a JSON object"), e.getMessage());
  }

  @Test
  void anErrorObjectWithStatus200IsAServerError() {
    server.enqueue(Reply.json(200, "{\"error\":{\"message\":\"model is loading\"}}"));
    GeneratorException e = call(request(false));
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains("model is loading"), e.getMessage());
  }

  @Test
  void retriesA500ThenSucceeds() {
    server.enqueue(Reply.json(500, "{\"error\":\"boom\"}"), Reply.json(200, OK));
    GenerationResponse r;
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      r = client.generate(request(false));
    }
    assertEquals("A red square [img-1].", r.text());
    assertEquals(2, r.attempts());
    assertEquals(2, server.requests().size());
    assertEquals(server.requests().get(0).body(), server.requests().get(1).body());
  }

  @Test
  void gives5xxUpAfterTheRetryBudget() {
    for (int i = 0; i < 3; i++) {
      server.enqueue(Reply.json(503, "{\"error\":{\"message\":\"overloaded\"}}"));
    }
    GeneratorException e = call(request(false));
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertEquals(503, e.status());
    assertEquals(3, e.attempts());
    assertEquals(3, server.requests().size());
    assertTrue(e.getMessage().contains("HTTP 503: overloaded"), e.getMessage());
    assertTrue(e.getMessage().contains("after 3 attempts"), e.getMessage());
  }

  @Test
  void retriesA429HonouringRetryAfter() {
    server.enqueue(
        Reply.json(429, "{\"error\":\"slow down\"}").withHeader("Retry-After", "0"),
        Reply.json(200, OK));
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      assertEquals(2, client.generate(request(false)).attempts());
    }
    server.enqueue(
        Reply.json(429, "{}"), Reply.json(429, "{}"), Reply.json(429, "{}"), Reply.json(200, OK));
    GeneratorException e = call(request(false));
    assertEquals(Kind.RATE_LIMITED, e.kind());
    assertEquals(3, e.attempts());
  }

  @Test
  void anInterruptWhileWaitingToRetryEndsTheCall() throws Exception {
    server.enqueue(Reply.json(503, "{\"error\":\"overloaded\"}"), Reply.json(200, OK));
    // A backoff long enough that the interrupt lands while the caller waits to retry.
    GeneratorConfig patient = config(server.url()).withRetries(2, GeneratorConfig.MAX_BACKOFF);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean stillInterrupted = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              try (OpenAiChatClient client = new OpenAiChatClient(patient)) {
                client.generate(request(false));
              } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            });
    caller.start();
    while (server.requests().isEmpty()) {
      Thread.sleep(5);
    }
    caller.interrupt();
    caller.join();
    GeneratorException e = assertInstanceOf(GeneratorException.class, thrown.get());
    assertEquals(Kind.INTERRUPTED, e.kind());
    assertEquals(1, e.attempts());
    assertEquals(1, server.requests().size(), "no retry after the interrupt");
    assertTrue(stillInterrupted.get(), "the thread keeps its interrupt flag");
  }

  @Test
  void a400IsRejectedWithoutRetry() {
    server.enqueue(
        Reply.json(400, "{\"error\":{\"message\":\"image_url is not supported by this model\"}}"),
        Reply.json(200, OK));
    GeneratorException e = call(request(false));
    assertEquals(Kind.REJECTED, e.kind());
    assertEquals(400, e.status());
    assertEquals(1, e.attempts());
    assertEquals(1, server.requests().size());
    assertTrue(e.getMessage().contains("image_url is not supported"), e.getMessage());
  }

  @Test
  void aSlowResponseTimesOutAndIsNotRetried() {
    server.enqueue(Reply.json(200, OK).delayed(30_000));
    GeneratorConfig cfg =
        config(server.url()).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300));
    GeneratorException e;
    try (OpenAiChatClient client = new OpenAiChatClient(cfg)) {
      e = assertThrows(GeneratorException.class, () -> client.generate(request(false)));
    }
    assertEquals(Kind.TIMEOUT, e.kind());
    assertEquals(1, e.attempts());
    assertTrue(e.getMessage().contains("no response within PT0.3S"), e.getMessage());
  }

  @Test
  void aStalledStreamTimesOutAfterDeliveringWhatCame() {
    String first = "data: {\"choices\":[{\"delta\":{\"content\":\"partial\"}}]}\n\n";
    server.enqueue(Reply.split("text/event-stream", first).thenStall());
    GeneratorConfig cfg =
        config(server.url()).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(400));
    List<String> deltas = new ArrayList<>();
    GeneratorException e;
    try (OpenAiChatClient client = new OpenAiChatClient(cfg)) {
      e = assertThrows(GeneratorException.class, () -> client.generate(request(true), deltas::add));
    }
    assertEquals(Kind.TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("stream stalled"), e.getMessage());
    assertEquals(List.of("partial"), deltas);
  }

  @Test
  void aRefusedConnectionIsUnreachableAfterRetries() {
    String url = RecordingChatServer.refusingUrl();
    GeneratorException e;
    try (OpenAiChatClient client = new OpenAiChatClient(config(url))) {
      e = assertThrows(GeneratorException.class, () -> client.generate(request(false)));
    }
    assertEquals(Kind.UNREACHABLE, e.kind());
    assertEquals(3, e.attempts());
    assertTrue(
        e.getMessage().startsWith("generator at " + url + "/v1/chat/completions"), e.getMessage());
    assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
  }

  @Test
  void aStreamCutShortIsMalformed() {
    server.enqueue(
        Reply.split(
            "text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}\n\n"));
    GeneratorException e = call(request(true));
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("ended before 'data: [DONE]'"), e.getMessage());
  }

  @Test
  void garbageInsideAStreamIsNamedByLine() {
    server.enqueue(
        Reply.split(
            "text/event-stream",
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {nope\n\n"));
    GeneratorException e = call(request(true));
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("stream line 3 is not valid JSON"), e.getMessage());

    server.enqueue(
        Reply.split(
            "text/event-stream",
            "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"error\":{\"message\":\"CUDA out of memory\"}}\n\n"));
    e = call(request(true));
    assertEquals(Kind.SERVER_ERROR, e.kind());
    assertTrue(e.getMessage().contains("CUDA out of memory"), e.getMessage());
  }

  @Test
  void anHtmlPageIsMalformed() {
    server.enqueue(
        new Reply(
            200,
            java.util.Map.of("Content-Type", "text/html"),
            List.of("<html><body>It works!</body></html>".getBytes(StandardCharsets.UTF_8)),
            0,
            0,
            false));
    GeneratorException e = call(request(false));
    assertEquals(Kind.MALFORMED_RESPONSE, e.kind());
    assertTrue(e.getMessage().contains("It works!"), e.getMessage());
  }

  private GeneratorException call(GenerationRequest req) {
    try (OpenAiChatClient client = new OpenAiChatClient(config(server.url()))) {
      return assertThrows(GeneratorException.class, () -> client.generate(req));
    }
  }
}
