package dev.bindery.generator.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.FinishReason;
import dev.bindery.generator.GeneratorConfig;
import dev.bindery.generator.GeneratorException;
import dev.bindery.generator.client.OpenAiChatClient;
import dev.bindery.generator.grounding.Region;
import dev.bindery.generator.testing.RecordingChatServer;
import dev.bindery.generator.testing.RecordingChatServer.Reply;
import dev.bindery.generator.testing.TestImages;
import dev.bindery.indexer.Filter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over a real embedded collection (MiniLM text tower, Lucene in a temporary directory):
 * the offline extractive answerer, and a model behind a real local OpenAI-compatible server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RagPipelineTest {
  static final String C = "notes";

  static final String[][] TEXTS = {
    {"cat1", "pets", "A cat sleeping on a sofa. It has grey fur."},
    {"cat2", "pets", "A kitten curled up on the couch next to a blanket."},
    {"dog1", "pets", "A dog running in the park. The dog chases a red ball."},
    {"fin1", "finance", "Stock markets fall sharply after the report."},
    {"fin2", "finance", "The central bank raises interest rates to slow inflation."},
    {"wx1", "weather", "Heavy rain is expected over the weekend in the north."},
    {"food1", "food", "A bowl of hot tomato soup with fresh basil."},
    {"food2", "food", "Fresh bread from the bakery, still warm."},
    {"sport1", "sport", "The team won the football final on penalties."},
    {"sport2", "sport", "A tennis player serves an ace at Wimbledon."},
    {"tech1", "tech", "A new smartphone with a bigger screen and a faster chip."},
    {"home1", "home", "A red sofa in a bright living room."},
    {"trav1", "travel", "A train crossing the Alps in winter."},
    {"music1", "music", "A violinist playing in an orchestra."},
  };

  @TempDir static Path dir;
  private Bindery bindery;
  private RecordingChatServer server;

  @BeforeAll
  void index() {
    bindery = Bindery.open(dir);
    bindery.createCollection(C, ModelPackage.DEFAULT_TEXT);
    long year = 2000;
    for (String[] t : TEXTS) {
      bindery.addText(C, t[0], t[2], Map.of("category", t[1], "year", year++));
    }
    bindery.commit(C);
  }

  @AfterAll
  void close() {
    bindery.close();
  }

  @BeforeEach
  void startServer() {
    server = new RecordingChatServer();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private RagPipeline extractive() {
    return RagPipeline.extractive(bindery);
  }

  private OpenAiChatClient client(String url) {
    return new OpenAiChatClient(
        GeneratorConfig.of(url, "test-vlm")
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(20))
            .withRetries(1, Duration.ofMillis(10)));
  }

  private RagPipeline model(OpenAiChatClient client, RagOptions options) {
    ImageDecoder decoder = new ImageDecoder();
    return new RagPipeline(bindery, new ModelAnswerer(client, options, decoder), options, decoder);
  }

  private static String openAiReply(String content) {
    try {
      return new ObjectMapper()
          .writeValueAsString(
              Map.of(
                  "model",
                  "test-vlm",
                  "choices",
                  List.of(
                      Map.of(
                          "index",
                          0,
                          "message",
                          Map.of("role", "assistant", "content", content),
                          "finish_reason",
                          "stop")),
                  "usage",
                  Map.of("prompt_tokens", 300, "completion_tokens", 20)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ extractive

  @Test
  void extractiveAnswersWithTheBestSentenceAndCitesIt() {
    Answer a = extractive().ask(AskRequest.of(C, "Where is the cat sleeping?"));
    assertFalse(a.abstained());
    assertEquals("A cat sleeping on a sofa. [cat1]", a.text());
    assertEquals("A cat sleeping on a sofa.", a.plainText());
    assertEquals(List.of("cat1"), a.citations());
    assertEquals(List.of(), a.droppedCitations());
    assertEquals("extractive", a.answeredBy());
    assertEquals(FinishReason.NONE, a.finishReason());
    assertEquals(AskRequest.DEFAULT_K, a.hits().size());
    RetrievedItem top = a.hits().get(0);
    assertEquals("cat1", top.id());
    assertEquals(1, top.rank());
    assertEquals("A cat sleeping on a sofa. It has grey fur.", top.text().get("text"));
    assertTrue(top.similarity() > 0.5, top.toString());
    assertEquals("pets", top.metadata().get("category"));
    assertTrue(a.context().itemIds().contains("cat1"));
    assertEquals(List.of(new AnswerSegment.Text(a.text())), a.segments());
    assertTrue(a.timings().totalMs() >= a.timings().retrievalMs());
  }

  @Test
  void extractiveAnswersFieldQuestionsByASimilarityWeightedVote() {
    Answer a = extractive().ask(AskRequest.of(C, "What category is the tennis player in?"));
    assertEquals("sport", a.plainText());
    assertEquals(List.of("sport2"), a.citations());
    Answer year = extractive().ask(AskRequest.of(C, "In which year did the team win the final?"));
    assertEquals("2008", year.plainText(), year.text());
    assertEquals(List.of("sport1"), year.citations());
  }

  @Test
  void extractiveSaysItDoesNotKnowWhenEvidenceIsWeak() {
    Answer a = extractive().ask(AskRequest.of(C, "What is the capital of Australia?"));
    assertTrue(a.abstained());
    assertTrue(a.text().startsWith("I don't know: the closest item, '"), a.text());
    assertTrue(a.text().contains("below the evidence threshold 0.300"), a.text());
    assertEquals(List.of(), a.citations());
    assertEquals(List.of(), a.droppedCitations());
    assertFalse(a.hits().isEmpty(), "the hits are still reported");
    // The threshold is the knob: at -1 every retrieved item is evidence.
    RagPipeline lenient =
        new RagPipeline(
            bindery, new ExtractiveAnswerer(-1, 5), RagOptions.defaults(), new ImageDecoder());
    Answer b = lenient.ask(AskRequest.of(C, "What is the capital of Australia?"));
    assertFalse(b.abstained());
    assertEquals(1, b.citations().size());
  }

  @Test
  void aFilterRestrictsWhatCanBeCited() {
    Answer a =
        extractive()
            .ask(
                AskRequest.of(C, "Where is the cat sleeping?")
                    .withFilter(Filter.term("category", "home")));
    assertEquals(List.of("home1"), a.hits().stream().map(RetrievedItem::id).toList());
    assertEquals(List.of("home1"), a.citations());
  }

  @Test
  void aQuestionOfStopWordsOnlySkipsBm25() {
    assertFalse(RagPipeline.hasSearchableWord("Is it this? It is."));
    assertTrue(RagPipeline.hasSearchableWord("What is it?"));
    Answer a = extractive().ask(AskRequest.of(C, "Is it this?"));
    assertEquals(AskRequest.DEFAULT_K, a.hits().size());
  }

  @Test
  void badQuestionsAreClearErrorsAndLeaveNoTemporaryFiles() throws IOException {
    long before = askTempFiles();
    assertEquals(
        "question must not be empty",
        assertThrows(IllegalArgumentException.class, () -> AskRequest.of(C, "  ")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> AskRequest.of(C, null));
    String huge = "why ".repeat(2_000);
    assertEquals(
        "question is 8000 characters long; the limit is 4000",
        assertThrows(IllegalArgumentException.class, () -> AskRequest.of(C, huge)).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AskRequest.of(C, "x").withK(0))
            .getMessage()
            .contains("k must be in 1..100, got 0"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> AskRequest.of(C, "x").withImage(new byte[0], "empty.png"))
            .getMessage()
            .startsWith("empty.png: the image is empty"));
    RagPipeline p = extractive();
    IllegalArgumentException garbage =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                p.ask(
                    AskRequest.of(C, "What is this?")
                        .withImage("not an image".getBytes(), "upload.png")));
    assertTrue(garbage.getMessage().startsWith("upload.png"), garbage.getMessage());
    // A real image, but the collection's package has no image tower.
    IllegalArgumentException noTower =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                p.ask(
                    AskRequest.of(C, "What is this?")
                        .withImage(TestImages.png(8, 8, 0x123456), "ok.png")));
    assertTrue(noTower.getMessage().toLowerCase().contains("image"), noTower.getMessage());
    assertEquals(before, askTempFiles(), "the temporary image file was deleted");
    RuntimeException unknown =
        assertThrows(RuntimeException.class, () -> p.ask(AskRequest.of("nosuch", "Where?")));
    assertTrue(unknown.getMessage().contains("nosuch"), unknown.getMessage());
  }

  static long askTempFiles() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(f -> f.getFileName().toString().startsWith("bindery-ask-")).count();
    }
  }

  // ------------------------------------------------------------------ a model endpoint

  @Test
  void modelCitationsAreFilteredAndBoxesAttached() {
    server.enqueue(
        Reply.json(
            200,
            openAiReply(
                "The cat sleeps on a sofa [cat1] [ghost-9]; see <ref>the cat</ref>"
                    + "<box>(100,200),(600,800)</box>.")));
    Answer a;
    try (OpenAiChatClient client = client(server.url())) {
      a = model(client, RagOptions.defaults()).ask(AskRequest.of(C, "Where is the cat sleeping?"));
    }
    assertEquals(List.of("cat1"), a.citations());
    assertEquals(List.of("ghost-9"), a.droppedCitations());
    assertEquals("The cat sleeps on a sofa [ghost-9]; see the cat.", a.plainText());
    assertEquals(1, a.regions().size());
    Region r = a.regions().get(0);
    assertEquals(Region.Target.ITEM, r.target());
    assertEquals("cat1", r.itemId());
    assertEquals("the cat", r.label());
    assertEquals(0.1, r.x1(), 1e-12);
    assertEquals(0.8, r.y2(), 1e-12);
    assertEquals(FinishReason.STOP, a.finishReason());
    assertEquals(300, a.usage().promptTokens());
    assertTrue(a.answeredBy().startsWith("openai:test-vlm at http://127.0.0.1:"), a.answeredBy());

    JsonNode body = server.requests().get(0).json();
    JsonNode messages = body.get("messages");
    assertEquals("system", messages.get(0).get("role").asText());
    assertEquals(ModelAnswerer.SYSTEM_PROMPT, messages.get(0).get("content").asText());
    String user = messages.get(1).get("content").asText();
    assertTrue(user.startsWith("Context items:\n\n[cat1] (text)\n"), user);
    assertTrue(user.contains("category: pets"), user);
    assertTrue(user.contains("year: 2000"), user);
    assertTrue(
        user.contains("\nA cat sleeping on a sofa. It has grey fur.\n\n[cat2] (text)"), user);
    assertTrue(user.endsWith("Question: Where is the cat sleeping?"), user);
    for (RetrievedItem h : a.hits()) {
      assertTrue(user.contains("[" + h.id() + "] (text)"), h.id());
    }
    assertEquals(RagOptions.defaults().answerTokens(), body.get("max_tokens").asInt());
    assertFalse(body.get("stream").asBoolean());
  }

  @Test
  void theContextBudgetIsRespected() {
    server.enqueue(Reply.json(200, openAiReply("I don't know.")));
    RagOptions tight = RagOptions.defaults().withContextTokens(40, 20);
    Answer a;
    try (OpenAiChatClient client = client(server.url())) {
      a = model(client, tight).ask(AskRequest.of(C, "Where is the cat sleeping?").withK(10));
    }
    assertTrue(a.abstained());
    String user = server.requests().get(0).json().get("messages").get(1).get("content").asText();
    String context =
        user.substring("Context items:\n\n".length(), user.lastIndexOf("\n\nQuestion: "));
    assertTrue(context.length() <= 40 * 4, context.length() + ": " + context);
    assertTrue(a.context().approxTokens() <= 40);
    assertFalse(a.context().omittedIds().isEmpty());
    List<String> all = new ArrayList<>(a.context().itemIds());
    all.addAll(a.context().omittedIds());
    assertEquals(a.hits().stream().map(RetrievedItem::id).toList(), all);
    for (String id : a.context().omittedIds()) {
      assertFalse(context.contains("[" + id + "]"), id);
    }
  }

  @Test
  void retMarkersBecomeInterleavedRetrievals() {
    server.enqueue(
        Reply.json(
            200,
            openAiReply(
                "Here is a dog running after a ball in the park [RET] and a warm bowl of soup"
                    + " [RET].")));
    Answer a;
    try (OpenAiChatClient client = client(server.url())) {
      a =
          model(client, RagOptions.defaults())
              .ask(AskRequest.of(C, "Show me pets and food").withInterleave(true));
    }
    assertEquals(
        "Here is a dog running after a ball in the park  and a warm bowl of soup .", a.text());
    List<AnswerSegment> s = a.segments();
    assertEquals(5, s.size(), s.toString());
    assertEquals(
        new AnswerSegment.Text("Here is a dog running after a ball in the park "), s.get(0));
    AnswerSegment.Retrieval dog = assertInstanceOf(AnswerSegment.Retrieval.class, s.get(1));
    assertEquals("Here is a dog running after a ball in the park", dog.query());
    assertEquals(0, dog.markerIndex());
    assertEquals("dog1", dog.items().get(0).id());
    assertEquals(RagOptions.defaults().retPerMarker(), dog.items().size());
    assertEquals(new AnswerSegment.Text(" and a warm bowl of soup "), s.get(2));
    AnswerSegment.Retrieval soup = assertInstanceOf(AnswerSegment.Retrieval.class, s.get(3));
    assertEquals("and a warm bowl of soup", soup.query());
    assertEquals("food1", soup.items().get(0).id());
    assertEquals(new AnswerSegment.Text("."), s.get(4));
    String system = server.requests().get(0).json().get("messages").get(0).get("content").asText();
    assertTrue(system.endsWith(ModelAnswerer.RET_PROMPT), system);
    assertEquals(List.of(), a.citations(), "[RET] is not a citation");
    assertEquals(List.of(), a.droppedCitations());
  }

  @Test
  void streamsThroughThePipeline() {
    server.enqueue(
        Reply.everyNBytes(
            "text/event-stream",
            "data: {\"choices\":[{\"delta\":{\"content\":\"Rain \"}}]}\n\n"
                + "data: {\"choices\":[{\"delta\":{\"content\":\"this weekend [wx1].\"},"
                + "\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n",
            11));
    List<String> deltas = new ArrayList<>();
    Answer a;
    try (OpenAiChatClient client = client(server.url())) {
      a =
          model(client, RagOptions.defaults())
              .ask(AskRequest.of(C, "What is the weather this weekend?"), deltas::add);
    }
    assertEquals(List.of("Rain ", "this weekend [wx1]."), deltas);
    assertEquals(String.join("", deltas), a.text());
    assertEquals(List.of("wx1"), a.citations());
    assertTrue(server.requests().get(0).json().get("stream").asBoolean());
  }

  @Test
  void aRefusingEndpointIsAClearError() {
    String url = RecordingChatServer.refusingUrl();
    GeneratorException e;
    try (OpenAiChatClient client = client(url)) {
      RagPipeline p = model(client, RagOptions.defaults());
      e =
          assertThrows(
              GeneratorException.class, () -> p.ask(AskRequest.of(C, "Where is the cat?")));
    }
    assertEquals(GeneratorException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains(url), e.getMessage());
  }

  @Test
  void answersSerializeToJson() throws IOException {
    server.enqueue(
        Reply.json(200, openAiReply("A kitten [cat2] [RET] <box>(1,1),(2,2)</box> [nope]")));
    Answer a;
    try (OpenAiChatClient client = client(server.url())) {
      a =
          model(client, RagOptions.defaults())
              .ask(AskRequest.of(C, "Where is the kitten?").withInterleave(true));
    }
    JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(a));
    assertEquals("Where is the kitten?", json.get("question").asText());
    assertEquals("stop", json.get("finishReason").asText());
    assertEquals("cat2", json.get("citations").get(0).asText());
    assertEquals("nope", json.get("droppedCitations").get(0).asText());
    assertEquals("text", json.get("segments").get(0).get("type").asText());
    assertEquals("retrieval", json.get("segments").get(1).get("type").asText());
    assertEquals("item", json.get("regions").get(0).get("target").asText());
    assertEquals("cat2", json.get("regions").get(0).get("itemId").asText());
    assertTrue(json.get("hits").get(0).get("similarity").isNumber());
    assertTrue(json.get("timings").has("totalMs"));
    // Segments read back polymorphically.
    AnswerSegment[] back =
        new ObjectMapper().treeToValue(json.get("segments"), AnswerSegment[].class);
    assertInstanceOf(AnswerSegment.Retrieval.class, back[1]);
  }
}
