package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bindery ask} over a real MiniLM text collection, offline and against a local endpoint. */
class AskCommandTest {
  private static final String C = "notes";

  @TempDir static Path data;

  private final ObjectMapper mapper = new ObjectMapper();

  @BeforeAll
  static void index() {
    try (Bindery b = Bindery.open(data)) {
      b.createCollection(C, ModelPackage.DEFAULT_TEXT);
      b.addText(C, "n1", "A cat asleep on the sofa.", Map.of("room", "living"));
      b.addText(C, "n2", "A puppy chewing a slipper.", Map.of("room", "hall"));
      b.addText(C, "n3", "Stock markets fell sharply today.", Map.of("room", "office"));
      b.addText(C, "n4", "A kitten curled up on the couch.", Map.of("room", "living"));
      b.commit(C);
    }
  }

  private static CliRun ask(Map<String, String> env, String... args) {
    List<String> all = new ArrayList<>(List.of("ask", "--data", data.toString()));
    all.addAll(List.of(args));
    return CliRun.withEnv(env, all.toArray(String[]::new));
  }

  @Test
  void answersOfflineWithCitations() throws Exception {
    CliRun run = ask(Map.of(), "--collection", C, "Where", "is", "the", "cat", "asleep?");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("A cat asleep on the sofa. [n1]\n"), run.out());
    assertTrue(run.out().contains("Sources:"), run.out());
    assertTrue(run.out().contains("Answered by extractive"), run.out());

    CliRun json = ask(Map.of(), "--collection", C, "--json", "Which room is the cat in?");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode body = mapper.readTree(json.out());
    assertEquals("living", body.get("plainText").asText());
    assertEquals("n1", body.get("citations").get(0).asText());
    assertEquals("extractive", body.get("answeredBy").asText());

    CliRun unknown = ask(Map.of(), "--collection", C, "Who painted the Mona Lisa?");
    assertEquals(0, unknown.exitCode(), unknown.err());
    assertTrue(unknown.out().startsWith("I don't know"), unknown.out());
  }

  @Test
  void asksAModelEndpointWithTheKeyFromTheEnvironment() throws Exception {
    ChatCompletionsEndpoint server = ChatCompletionsEndpoint.start("On the sofa [n1] [made-up].");
    List<String> auth = server.auth();
    List<String> bodies = server.bodies();
    try {
      String url = server.url();
      CliRun run =
          ask(
              Map.of("MY_KEY", "sk-abc"),
              "--collection",
              C,
              "--endpoint",
              url,
              "--model",
              "llava",
              "--api-key-env",
              "MY_KEY",
              "Where is the cat?");
      assertEquals(0, run.exitCode(), run.err());
      assertTrue(run.out().startsWith("On the sofa [n1] [made-up].\n"), run.out());
      assertTrue(run.out().contains("Dropped citations (not among the retrieved items): made-up"));
      assertTrue(run.out().contains("Answered by openai:llava at " + url), run.out());
      assertEquals(List.of("Bearer sk-abc"), auth);
      JsonNode req = mapper.readTree(bodies.get(0));
      assertEquals("llava", req.get("model").asText());
      assertTrue(req.get("messages").get(1).get("content").asText().contains("[n1] (text)"));
    } finally {
      server.close();
    }
  }

  @Test
  void wrongUsageAndFailuresAreClear() throws Exception {
    CliRun noModel = ask(Map.of(), "--collection", C, "--endpoint", "http://127.0.0.1:1", "q?");
    assertEquals(2, noModel.exitCode());
    assertTrue(noModel.err().contains("--endpoint needs --model"), noModel.err());

    CliRun noKey =
        ask(
            Map.of(),
            "--collection",
            C,
            "--endpoint",
            "http://127.0.0.1:1",
            "--model",
            "m",
            "--api-key-env",
            "NOPE",
            "q?");
    assertEquals(2, noKey.exitCode());
    assertTrue(noKey.err().contains("environment variable NOPE is not set"), noKey.err());

    CliRun badProtocol = ask(Map.of(), "--collection", C, "--protocol", "grpc", "q?");
    assertEquals(2, badProtocol.exitCode());
    assertTrue(badProtocol.err().contains("unknown generator protocol 'grpc'"), badProtocol.err());

    CliRun empty = ask(Map.of(), "--collection", C, " ");
    assertEquals(2, empty.exitCode());
    assertTrue(empty.err().contains("question must not be empty"), empty.err());

    CliRun noImage = ask(Map.of(), "--collection", C, "--image", "/no/such.png", "What?");
    assertEquals(2, noImage.exitCode());
    assertTrue(noImage.err().contains("--image: no such file /no/such.png"), noImage.err());

    CliRun noCollection = ask(Map.of(), "--collection", "other", "What?");
    assertEquals(1, noCollection.exitCode());
    assertTrue(noCollection.err().contains("no collection 'other'"), noCollection.err());

    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    CliRun refused =
        ask(
            Map.of(),
            "--collection",
            C,
            "--endpoint",
            "http://127.0.0.1:" + port,
            "--model",
            "m",
            "--retries",
            "0",
            "Where is the cat?");
    assertEquals(1, refused.exitCode());
    assertTrue(
        refused
            .err()
            .contains(
                "generator at http://127.0.0.1:"
                    + port
                    + "/v1/chat/completions: connection refused"),
        refused.err());
  }
}
