package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.fusion.Bindery;
import dev.bindery.generator.Generator;
import dev.bindery.generator.GeneratorProtocol;
import dev.bindery.server.http.BinderyServer;
import dev.bindery.server.http.ServerConfig;
import dev.bindery.server.http.auth.ApiKey;
import dev.bindery.server.http.auth.ApiKeys;
import dev.bindery.server.http.auth.Scope;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {
  @TempDir Path dir;

  @Test
  void keysAddListAndRemove() throws Exception {
    Path keys = dir.resolve("keys.json");
    CliRun add =
        CliRun.of(
            "serve",
            "keys",
            "add",
            "--keys",
            keys.toString(),
            "--name",
            "ingest",
            "--scope",
            "write",
            "--collections",
            "a,b");
    assertEquals(0, add.exitCode(), add.err());
    String secret = add.out().strip();
    assertTrue(secret.matches("bk_[A-Za-z0-9_-]{43}"), add.out());
    assertTrue(add.err().contains("not stored anywhere"), add.err());
    assertFalse(Files.readString(keys).contains(secret), "the file holds no secret");
    ApiKey key = ApiKeys.load(keys).authenticate(secret).orElseThrow();
    assertEquals("ingest", key.name());
    assertEquals(Scope.WRITE, key.scope());
    assertEquals(Set.of("a", "b"), key.collections());

    CliRun again = CliRun.of("serve", "keys", "add", "--keys", keys.toString(), "--name", "ingest");
    assertEquals(1, again.exitCode());
    assertTrue(again.err().contains("two keys are named 'ingest'"), again.err());
    CliRun badScope =
        CliRun.of(
            "serve", "keys", "add", "--keys", keys.toString(), "--name", "x", "--scope", "god");
    assertEquals(1, badScope.exitCode());
    assertTrue(badScope.err().contains("unknown scope 'god'"), badScope.err());

    CliRun list = CliRun.of("serve", "keys", "list", "--keys", keys.toString());
    assertEquals(0, list.exitCode(), list.err());
    assertTrue(list.out().contains("ingest") && list.out().contains("a,b"), list.out());

    CliRun remove = CliRun.of("serve", "keys", "remove", "--keys", keys.toString(), "ingest");
    assertEquals(0, remove.exitCode(), remove.err());
    assertTrue(ApiKeys.load(keys).isEmpty());
  }

  @Test
  void refusesANonLoopbackHostWithoutKeys() {
    CliRun run =
        CliRun.of(
            "serve", "--data", dir.resolve("data").toString(), "--host", "0.0.0.0", "--port", "0");
    assertEquals(1, run.exitCode(), run.err());
    assertTrue(run.err().contains("refusing to listen on 0.0.0.0 without API keys"), run.err());
    assertEquals("", run.out());
  }

  @Test
  void optionsBecomeTheServerConfig() {
    CommandLine cl = BinderyCli.commandLine(Map.of(), getClass().getClassLoader());
    CommandLine.ParseResult parsed =
        cl.parseArgs(
            "serve",
            "--port",
            "0",
            "--max-body",
            "2MB",
            "--max-k",
            "50",
            "--max-expression",
            "300",
            "--timeout",
            "1.5",
            "--max-ingests",
            "2",
            "--search-threads",
            "3",
            "--search-queue",
            "7",
            "--cors",
            "https://a.example,https://b.example");
    ServeCommand serve = (ServeCommand) parsed.subcommand().commandSpec().userObject();
    ServerConfig c = serve.config();
    assertEquals(0, c.port());
    assertEquals(2L << 20, c.maxBodyBytes());
    assertEquals(50, c.maxK());
    assertEquals(300, c.maxExpressionLength());
    assertEquals(Duration.ofMillis(1500), c.requestTimeout());
    assertEquals(2, c.maxConcurrentIngests());
    assertEquals(3, c.searchThreads());
    assertEquals(7, c.searchQueue());
    assertEquals(List.of("https://a.example", "https://b.example"), c.corsOrigins());
    assertEquals(512L << 10, ServeCommand.parseSize("--max-body", "512KB"));
    assertEquals(1L << 30, ServeCommand.parseSize("--max-body", "1g"));
    assertEquals(1234, ServeCommand.parseSize("--max-body", "1234"));

    CliRun bad = CliRun.of("serve", "--max-body", "12XB", "--data", dir.toString());
    assertEquals(1, bad.exitCode());
    assertTrue(bad.err().contains("--max-body must be a size like 32MB"), bad.err());
  }

  @Test
  void askIsAnsweredByTheModelEndpointGiven() throws Exception {
    ChatCompletionsEndpoint model = ChatCompletionsEndpoint.start("On the sofa [n1].");
    List<String> auth = model.auth();
    List<String> bodies = model.bodies();
    Path data = dir.resolve("ask-data");
    String url = model.url();
    CommandLine cl = BinderyCli.commandLine(Map.of("K", "sk-xyz"), getClass().getClassLoader());
    ServeCommand serve =
        (ServeCommand)
            cl.parseArgs(
                    "serve",
                    "--data",
                    data.toString(),
                    "--port",
                    "0",
                    "--generator-endpoint",
                    url,
                    "--generator-model",
                    "llava",
                    "--generator-api-key-env",
                    "K")
                .subcommand()
                .commandSpec()
                .userObject();
    ServerConfig config = serve.config();
    try (Bindery bindery = Bindery.open(data);
        Generator generator = GeneratorProtocol.OPENAI.client(serve.generatorConfig(config));
        BinderyServer server =
            BinderyServer.create(bindery, config, serve.pipeline(bindery, generator)).start()) {
      bindery.createCollection("notes", ModelPackage.DEFAULT_TEXT);
      bindery.addText("notes", "n1", "A cat asleep on the sofa.", Map.of());
      bindery.addText("notes", "n2", "Stock markets fell sharply today.", Map.of());
      bindery.commit("notes");
      HttpResponse<String> rsp =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(server.uri().resolve("/v1/collections/notes/ask"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"question\": \"Where is the cat?\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, rsp.statusCode(), rsp.body());
      JsonNode answer = new ObjectMapper().readTree(rsp.body());
      assertEquals("On the sofa [n1].", answer.get("answer").asText(), rsp.body());
      assertEquals("n1", answer.get("citations").get(0).get("id").asText(), rsp.body());
      assertTrue(answer.get("answered_by").asText().contains("llava"), rsp.body());
      assertEquals(List.of("Bearer sk-xyz"), auth);
      assertTrue(bodies.get(0).contains("A cat asleep on the sofa."), bodies.get(0));
    } finally {
      model.close();
    }

    CliRun noModel = CliRun.of("serve", "--data", data.toString(), "--generator-endpoint", url);
    assertEquals(2, noModel.exitCode());
    assertTrue(
        noModel.err().contains("--generator-endpoint needs --generator-model"), noModel.err());
    CliRun noEndpoint = CliRun.of("serve", "--data", data.toString(), "--generator-model", "m");
    assertEquals(2, noEndpoint.exitCode());
    assertTrue(noEndpoint.err().contains("need --generator-endpoint"), noEndpoint.err());
    CliRun badProtocol =
        CliRun.of("serve", "--data", data.toString(), "--generator-protocol", "grpc");
    assertEquals(2, badProtocol.exitCode());
    assertTrue(badProtocol.err().contains("unknown generator protocol 'grpc'"), badProtocol.err());
    CliRun noKey =
        CliRun.of(
            "serve",
            "--data",
            data.toString(),
            "--generator-endpoint",
            url,
            "--generator-model",
            "m",
            "--generator-api-key-env",
            "NOPE");
    assertEquals(2, noKey.exitCode());
    assertTrue(noKey.err().contains("environment variable NOPE is not set"), noKey.err());
  }

  @Test
  void backendOptionsAreCheckedBeforeAnythingOpens() throws Exception {
    String data = dir.resolve("data").toString();
    CliRun noZk = CliRun.of("serve", "--data", data, "--backend", "solrcloud", "--port", "0");
    assertEquals(2, noZk.exitCode(), "a usage error");
    assertTrue(noZk.err().contains("--backend solrcloud needs --zk"), noZk.err());

    CliRun unknown = CliRun.of("serve", "--data", data, "--backend", "mongo");
    assertEquals(2, unknown.exitCode());
    assertTrue(unknown.err().contains("unknown backend 'mongo'"), unknown.err());

    CliRun zkOnLucene =
        CliRun.of("search", "--data", data, "--zk", "zk:2181", "--collection", "c", "text:x");
    assertEquals(2, zkOnLucene.exitCode(), "a usage error");
    assertTrue(
        zkOnLucene.err().contains("--zk applies to --backend solrcloud only"), zkOnLucene.err());

    CliRun noJars =
        CliRun.of(
            "index",
            "--data",
            data,
            "--backend",
            "solrcloud",
            "--zk",
            "zk:2181",
            "-c",
            "c",
            "x.txt");
    assertEquals(1, noJars.exitCode());
    assertTrue(
        noJars.err().contains("the SolrCloud backend's jars are not configured"), noJars.err());

    Path empty = Files.createDirectories(dir.resolve("empty-lib"));
    CliRun wrongJars =
        CliRun.withEnv(
            Map.of(BackendOptions.CLASSPATH_ENV, empty.toString()),
            "serve",
            "--data",
            data,
            "--backend",
            "solrcloud",
            "--zk",
            "zk:2181",
            "--port",
            "0");
    assertEquals(1, wrongJars.exitCode());
    assertTrue(wrongJars.err().contains("hold no 'solrcloud' backend"), wrongJars.err());
    assertFalse(Files.exists(dir.resolve("data")), "nothing was created for a failed start");
  }
}
