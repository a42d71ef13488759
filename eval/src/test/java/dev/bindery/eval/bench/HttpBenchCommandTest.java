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
  void unknownHttpClientIsRefusedWithItsName() {
    CliRun run =
        CliRun.of(
            "bench", "http", "--data", dir.resolve("data").toString(), "--http-client", "curl");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--http-client must be blocking or jdk, got 'curl'"), run.err());
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
            "--jit-settle",
            "0",
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
        // Present and not negative; a few fast requests can fall inside one tick of the process
        // CPU clock and read 0.
        assertTrue(row.at("/" + mode + "/cpu_ms_per_request").asDouble() >= 0, row.toString());
      }
      // One ratio per round; the reported one is their median (one round: that round's).
      assertEquals(1, row.get("round_ratios").size());
      assertEquals(
          row.at("/round_ratios/0").asDouble(),
          row.get("qps_ratio_http_over_in_process").asDouble(),
          1e-9);
      // Every HTTP response carried the server's timing, and its phases fit in the latency.
      JsonNode phases = row.get("http_breakdown_ms");
      assertEquals(row.at("/http/requests").asInt(), phases.get("responses").asInt());
      double sum = 0;
      for (String phase : List.of("read", "wait", "search", "respond")) {
        assertTrue(phases.get(phase).asDouble() >= 0, phases.toString());
        sum += phases.get(phase).asDouble();
      }
      assertTrue(phases.get("server_total").asDouble() + 0.01 >= sum, phases.toString());
      assertTrue(
          phases.get("client_latency").asDouble() + 0.01 >= phases.get("server_total").asDouble(),
          phases.toString());
    }
    // --jit-settle 0: the fixed warm-up only (4 requests per mode over 2 clients).
    assertEquals(4, report.at("/warmup/requests_per_mode").asInt(), report.toString());
    assertFalse(report.at("/warmup/jit_settled").asBoolean());
    assertTrue(run.err().contains("JIT not checked"), run.err());
    assertEquals("blocking", report.get("http_client").asText());
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
            "--jit-settle",
            "1",
            "--queries",
            "2",
            "--query-kind",
            "vector",
            "--http-client",
            "jdk",
            "--json",
            out.toString());
    assertEquals(0, again.exitCode(), again.err());
    JsonNode second = new ObjectMapper().readTree(out.toFile());
    assertTrue(second.at("/collection/cached").asBoolean());
    assertEquals("jdk", second.get("http_client").asText());
    // Warm-up batches of 2,000 requests per mode ran until the JIT settled or the 1 s cap.
    assertTrue(second.at("/warmup/requests_per_mode").asInt() >= 2000, second.toString());
    assertTrue(second.at("/warmup/seconds").asDouble() > 0, second.toString());
    assertTrue(again.err().contains("warm-up: "), again.err());
    assertEquals(1, second.at("/results/0/http_breakdown_ms/responses").asInt());
    assertEquals(second.at("/agreement/queries").asInt(), second.at("/agreement/same_ids").asInt());
  }
}
