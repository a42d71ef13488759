package dev.bindery.eval.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.server.cli.BinderyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bindery bench http}, run through the same CLI (and service loader) as {@code bin/bindery}.
 */
class HttpBenchCommandTest {
  @TempDir Path dir;

  private record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl =
          BinderyCli.commandLine(Map.of(), Thread.currentThread().getContextClassLoader());
      cl.setOut(new PrintWriter(out, true));
      cl.setErr(new PrintWriter(err, true));
      int code = cl.execute(args);
      return new CliRun(code, out.toString(), err.toString());
    }
  }

  @Test
  void benchHttpComparesHttpWithInProcess() throws Exception {
    Path out = dir.resolve("http.json");
    CliRun run =
        CliRun.of(
            "bench",
            "http",
            "--data",
            dir.resolve("data").toString(),
            "--items",
            "300",
            "--requests",
            "3",
            "--clients",
            "1,2",
            "--rounds",
            "1",
            "--warmup",
            "4",
            "--queries",
            "10",
            "--json",
            out.toString());
    assertEquals(0, run.exitCode(), run.err());
    JsonNode report = new ObjectMapper().readTree(out.toFile());
    assertEquals(300, report.at("/collection/items").asInt());
    assertTrue(
        report.get("command").asText().startsWith("bindery bench http --data "), report.toString());
    assertFalse(report.at("/collection/cached").asBoolean());
    assertEquals(report.at("/agreement/queries").asInt(), report.at("/agreement/same_ids").asInt());
    assertEquals(2, report.get("results").size());
    for (JsonNode row : report.get("results")) {
      for (String mode : List.of("in_process", "http")) {
        assertEquals(row.get("clients").asInt() * 3, row.at("/" + mode + "/requests").asInt());
        assertTrue(row.at("/" + mode + "/qps").asDouble() > 0, row.toString());
        assertTrue(
            row.at("/" + mode + "/p99_ms").asDouble() >= row.at("/" + mode + "/p50_ms").asDouble());
      }
    }
    assertTrue(run.out().contains("HTTP/in-process"), run.out());

    // A second run reuses the collection from the data directory.
    CliRun again =
        CliRun.of(
            "bench",
            "http",
            "--data",
            dir.resolve("data").toString(),
            "--items",
            "300",
            "--requests",
            "1",
            "--clients",
            "1",
            "--rounds",
            "1",
            "--warmup",
            "0",
            "--queries",
            "2",
            "--json",
            out.toString());
    assertEquals(0, again.exitCode(), again.err());
    assertTrue(new ObjectMapper().readTree(out.toFile()).at("/collection/cached").asBoolean());
  }
}
