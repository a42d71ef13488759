package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.Similarity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer in another process as a {@link RoundEngine}: a long-lived subprocess that keeps its index
 * between commands, so its rounds can alternate with the in-process engines'. It speaks one JSON
 * line per command ({@code build M EFC THREADS}, {@code query EF K}, {@code quit}; described in
 * {@code eval/bench-peers/hnsw_native.cpp}) and reports its own process's CPU time. Two programs
 * speak it: {@code hnsw_native} (hnswlib compiled with {@code g++ -O3 -march=native} against
 * Debian's libhnswlib-dev, by {@code peers.py --build-native}) and {@code peers.py --serve ENGINE}
 * (Debian's Python hnswlib and FAISS).
 */
final class SubprocessRoundEngine implements RoundEngine {

  private final ObjectMapper mapper = new ObjectMapper();
  private final String name;
  private final Process process;
  private final BufferedReader in;
  private final Writer out;
  private final String version;
  private final int m;
  private final int efConstruction;
  private final int k;
  private final int buildThreads;
  private final int queryCount;

  /**
   * Starts {@code command} followed by {@code baseNpy}, {@code queriesNpy} (float32 .npy files
   * holding exactly the rows the other engines index) and the metric, and waits for it to say it is
   * ready.
   */
  SubprocessRoundEngine(
      String name,
      List<String> command,
      Path baseNpy,
      Path queriesNpy,
      Similarity similarity,
      int m,
      int efConstruction,
      int k,
      int buildThreads,
      PrintWriter log)
      throws IOException {
    String metric =
        switch (similarity) {
          case COSINE -> "cosine";
          case DOT_PRODUCT -> "dot";
          case L2 -> "l2";
        };
    this.name = name;
    List<String> full = new java.util.ArrayList<>(command);
    full.addAll(List.of(baseNpy.toString(), queriesNpy.toString(), metric));
    this.process = new ProcessBuilder(full).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    this.in =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.out = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.m = m;
    this.efConstruction = efConstruction;
    this.k = k;
    this.buildThreads = buildThreads;
    JsonNode ready = readAnswer("start");
    this.version = ready.path("version").asText("unknown");
    this.queryCount = ready.path("query_count").asInt(-1);
    log.printf(
        "%s: %d vectors, dim %d, %d queries (%s)%n",
        name, ready.path("count").asInt(), ready.path("dim").asInt(), queryCount, version);
    log.flush();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int buildThreads() {
    return buildThreads;
  }

  @Override
  public String describe() {
    return name
        + " ("
        + version
        + "), M="
        + m
        + ", efConstruction="
        + efConstruction
        + ", "
        + buildThreads
        + " build thread(s)";
  }

  @Override
  public Build build() throws IOException {
    JsonNode a = ask("build " + m + " " + efConstruction + " " + buildThreads);
    return new Build(
        a.path("build_seconds").asDouble(),
        a.path("build_cpu_seconds").asDouble(),
        a.path("index_bytes").asLong(-1));
  }

  @Override
  public Round query(int ef) throws IOException {
    JsonNode a = ask("query " + Math.max(ef, k) + " " + k);
    JsonNode rows = a.path("ids");
    if (!rows.isArray() || rows.size() != queryCount) {
      throw new IllegalStateException(
          name + " answered " + rows.size() + " rows for " + queryCount + " queries");
    }
    int[][] ids = new int[rows.size()][];
    for (int i = 0; i < ids.length; i++) {
      JsonNode row = rows.get(i);
      ids[i] = new int[row.size()];
      for (int j = 0; j < ids[i].length; j++) {
        ids[i][j] = row.get(j).asInt();
      }
    }
    return new Round(ids, a.path("wall_seconds").asDouble(), a.path("cpu_seconds").asDouble());
  }

  private JsonNode ask(String command) throws IOException {
    out.write(command + "\n");
    out.flush();
    return readAnswer(command);
  }

  private JsonNode readAnswer(String command) throws IOException {
    String line = in.readLine();
    if (line == null) {
      throw new IllegalStateException(
          name + " exited during '" + command + "' (see its stderr above)");
    }
    JsonNode node = mapper.readTree(line);
    if (node.has("error")) {
      throw new IllegalStateException(
          name + " failed '" + command + "': " + node.path("error").asText());
    }
    return node;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      out.write("quit\n");
      out.flush();
    } catch (IOException e) {
      // Already gone; waitFor below reaps it either way.
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
