package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.indexer.Similarity;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs the ANN peers (hnswlib and FAISS HNSW) through {@code eval/bench-peers/peers.py} in a Python
 * subprocess, over the same vectors Bindery indexes, and turns their answers into {@link
 * EngineResult}s scored against the same exact neighbours. The two sides exchange JSON files (the
 * protocol is described in peers.py); the peers return neighbour ids and timings, and recall is
 * computed here so Bindery and its peers share one definition of it.
 */
public final class PeerBenchmark {

  /** The protocol version both sides must agree on. */
  public static final int PROTOCOL = 1;

  /** Engines peers.py knows, in report order. */
  public static final List<String> ENGINES = List.of("hnswlib", "faiss-hnsw");

  /** The Debian Python that sees python3-hnswlib and python3-faiss. */
  public static final Path DEFAULT_PYTHON = Path.of("/usr/bin/python3");

  /** What to run when a peer library is missing. */
  public static final String INSTALL_HINT =
      "run eval/bench-peers/install-peers.sh (it apt-get installs python3-hnswlib and"
          + " python3-faiss)";

  // The committed script travels in the eval jar (see eval/pom.xml) so the command finds it
  // wherever it runs from.
  private static final String SCRIPT_RESOURCE = "/dev/bindery/eval/bench/peers/peers.py";

  private final Path python;
  private final Path script;
  private final PrintWriter log;

  /**
   * @param python the Python interpreter to run
   * @param script peers.py
   * @param log where the script's progress lines are copied
   */
  public PeerBenchmark(Path python, Path script, PrintWriter log) {
    this.python = Objects.requireNonNull(python, "python");
    this.script = Objects.requireNonNull(script, "script");
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Raised when the peers cannot run here; the message says what to install or pass. */
  public static final class PeersUnavailableException extends RuntimeException {
    public PeersUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Parameters sent to the peers.
   *
   * @param base base vectors file (.npy or .fvecs)
   * @param queries query vectors file
   * @param similarity how vectors compare
   * @param m HNSW max connections (the peers' M)
   * @param efConstruction HNSW build beam (Bindery's beam width)
   * @param efs query-time candidate list sizes
   * @param k neighbours per query
   * @param engines which peers to run
   * @param buildThreads threads the peers build with
   */
  public record Request(
      Path base,
      Path queries,
      Similarity similarity,
      int m,
      int efConstruction,
      List<Integer> efs,
      int k,
      List<String> engines,
      int buildThreads) {
    public Request {
      Objects.requireNonNull(base, "base");
      Objects.requireNonNull(queries, "queries");
      Objects.requireNonNull(similarity, "similarity");
      efs = List.copyOf(efs);
      engines = List.copyOf(engines);
      if (engines.isEmpty()) {
        throw new IllegalArgumentException("at least one peer engine is needed");
      }
      for (String e : engines) {
        if (!ENGINES.contains(e)) {
          throw new IllegalArgumentException(
              "unknown peer engine '" + e + "'; known: " + String.join(", ", ENGINES));
        }
      }
      if (Set.copyOf(engines).size() != engines.size()) {
        throw new IllegalArgumentException("peer engines given twice: " + engines);
      }
      if (buildThreads < 1) {
        throw new IllegalArgumentException("build threads must be >= 1, got " + buildThreads);
      }
    }

    ObjectNode toJson(ObjectMapper mapper) {
      ObjectNode o = mapper.createObjectNode();
      o.put("protocol", PROTOCOL);
      o.put("base", base.toAbsolutePath().toString());
      o.put("queries", queries.toAbsolutePath().toString());
      o.put(
          "metric",
          switch (similarity) {
            case COSINE -> "cosine";
            case DOT_PRODUCT -> "dot";
            case L2 -> "l2";
          });
      o.put("m", m);
      o.put("ef_construction", efConstruction);
      o.set("efs", mapper.valueToTree(efs));
      o.put("k", k);
      o.set("engines", mapper.valueToTree(engines));
      o.put("build_threads", buildThreads);
      return o;
    }
  }

  /**
   * What the peers reported, scored.
   *
   * @param versions Python, NumPy, hnswlib, FAISS versions and the CPU the script saw
   * @param engines one result per engine asked for, in that order
   */
  public record Results(Map<String, String> versions, List<EngineResult> engines) {
    public Results {
      versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(versions));
      engines = List.copyOf(engines);
    }
  }

  /** Writes the bundled peers.py into {@code dir} and returns its path. */
  public static Path extractScript(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path out = dir.resolve("peers.py");
    try (InputStream in = PeerBenchmark.class.getResourceAsStream(SCRIPT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "peers.py is missing from the eval jar (" + SCRIPT_RESOURCE + "); rebuild eval");
      }
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
    return out;
  }

  /**
   * Checks that the interpreter imports NumPy, hnswlib and FAISS, returning their versions.
   *
   * @throws PeersUnavailableException naming what is missing and the script that installs it
   */
  public Map<String, String> check() throws IOException {
    if (!Files.isExecutable(python)) {
      throw new PeersUnavailableException(
          "Python interpreter "
              + python
              + " does not exist or is not executable; install Debian's python3 and "
              + INSTALL_HINT
              + ", or pass --python",
          null);
    }
    ProcessResult r = exec(List.of(python.toString(), script.toString(), "--check"), 120);
    JsonNode node;
    try {
      node = new ObjectMapper().readTree(r.stdout());
    } catch (IOException e) {
      throw new PeersUnavailableException(
          script + " --check printed no JSON (exit " + r.exitCode() + "): " + r.stderrTail(), e);
    }
    if (node == null || !node.path("ok").asBoolean(false)) {
      String why = node == null ? "no output" : node.path("error").asText("no error given");
      throw new PeersUnavailableException("the ANN peers cannot run: " + why, null);
    }
    Map<String, String> versions = new LinkedHashMap<>();
    node.path("versions")
        .properties()
        .forEach(e -> versions.put(e.getKey(), e.getValue().asText()));
    return versions;
  }

  /**
   * Runs the peers and scores their answers against {@code truth} (row indexes of the exact top k
   * of every query). {@code workDir} receives the request and response files.
   */
  public Results run(Request request, int queryCount, int[][] truth, Path workDir)
      throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Files.createDirectories(workDir);
    Path requestFile = workDir.resolve("peers-request.json");
    Path responseFile = workDir.resolve("peers-response.json");
    Files.deleteIfExists(responseFile);
    mapper.writeValue(requestFile.toFile(), request.toJson(mapper));
    ProcessResult r =
        exec(
            List.of(
                python.toString(),
                script.toString(),
                requestFile.toString(),
                responseFile.toString()),
            0);
    if (r.exitCode() == 3) {
      throw new PeersUnavailableException(
          "the ANN peers cannot run: " + r.stderrTail() + "; " + INSTALL_HINT, null);
    }
    if (r.exitCode() != 0 || !Files.isRegularFile(responseFile)) {
      throw new IllegalStateException(
          script + " failed with exit code " + r.exitCode() + ": " + r.stderrTail());
    }
    JsonNode response = mapper.readTree(responseFile.toFile());
    return parseResponse(response, request, queryCount, truth);
  }

  /**
   * Reads a peers.py response: checks the protocol, that every engine and ef asked for is there,
   * and that every query got {@code k} neighbour ids within the base set; computes recall from the
   * ids.
   *
   * @throws IllegalStateException naming the field that is missing or wrong
   */
  static Results parseResponse(JsonNode root, Request request, int queryCount, int[][] truth) {
    if (root == null || !root.isObject()) {
      throw new IllegalStateException("peers response is not a JSON object");
    }
    int protocol = root.path("protocol").asInt(-1);
    if (protocol != PROTOCOL) {
      throw new IllegalStateException(
          "peers response has protocol " + root.path("protocol") + ", expected " + PROTOCOL);
    }
    int count = requireInt(root, "count", "response");
    if (root.path("query_count").asInt(-1) != queryCount) {
      throw new IllegalStateException(
          "peers answered "
              + root.path("query_count")
              + " queries, expected "
              + queryCount
              + " (different query files?)");
    }
    if (truth.length != queryCount) {
      throw new IllegalArgumentException(
          "truth has " + truth.length + " rows for " + queryCount + " queries");
    }
    Map<String, String> versions = new LinkedHashMap<>();
    root.path("versions")
        .properties()
        .forEach(e -> versions.put(e.getKey(), e.getValue().asText()));
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode e : root.path("engines")) {
      byName.put(e.path("name").asText(), e);
    }
    List<EngineResult> engines = new ArrayList<>();
    for (String name : request.engines()) {
      JsonNode e = byName.get(name);
      if (e == null) {
        throw new IllegalStateException(
            "peers response has no engine '" + name + "' (it has " + byName.keySet() + ")");
      }
      engines.add(parseEngine(name, e, request, count, queryCount, truth));
    }
    return new Results(versions, engines);
  }

  private static EngineResult parseEngine(
      String name, JsonNode e, Request request, int count, int queryCount, int[][] truth) {
    String where = "engine " + name;
    Map<Integer, JsonNode> runsByEf = new LinkedHashMap<>();
    for (JsonNode run : e.path("runs")) {
      runsByEf.put(requireInt(run, "ef", where), run);
    }
    List<EngineResult.Run> runs = new ArrayList<>();
    for (int ef : request.efs()) {
      JsonNode run = runsByEf.get(ef);
      if (run == null) {
        throw new IllegalStateException(
            where + " has no run at ef=" + ef + " (it has " + runsByEf.keySet() + ")");
      }
      String at = where + " ef=" + ef;
      JsonNode ids = run.path("ids");
      if (!ids.isArray() || ids.size() != queryCount) {
        throw new IllegalStateException(
            at + ": 'ids' must hold " + queryCount + " rows, got " + describe(ids));
      }
      double recall = 0;
      for (int q = 0; q < queryCount; q++) {
        JsonNode row = ids.get(q);
        if (!row.isArray() || row.size() != request.k()) {
          throw new IllegalStateException(
              at + ": query " + q + " has " + describe(row) + " ids, expected " + request.k());
        }
        int[] got = new int[row.size()];
        for (int i = 0; i < got.length; i++) {
          JsonNode id = row.get(i);
          // FAISS pads with -1 when it finds fewer than k; such a slot simply scores nothing.
          if (!id.canConvertToInt() || id.asInt() < -1 || id.asInt() >= count) {
            throw new IllegalStateException(
                at + ": query " + q + " has id " + id + " outside 0.." + (count - 1));
          }
          got[i] = id.asInt();
        }
        recall += RecallAtK.of(got, truth[q], request.k());
      }
      runs.add(
          new EngineResult.Run(
              ef,
              recall / queryCount,
              requireDouble(run, "qps", at),
              requireDouble(run, "cpu_qps", at),
              requireDouble(run, "p50_ms", at),
              requireDouble(run, "p99_ms", at),
              run.path("batch_qps").asDouble(Double.NaN)));
    }
    int threads = requireInt(e, "build_threads", where);
    double build = requireDouble(e, "build_seconds", where);
    double buildCpu = requireDouble(e, "build_cpu_seconds", where);
    long bytes = e.path("index_bytes").asLong(-1);
    if (bytes <= 0) {
      throw new IllegalStateException(where + ": 'index_bytes' missing or not positive");
    }
    return new EngineResult(
        name,
        e.path("version").asText("unknown"),
        count,
        build,
        buildCpu,
        threads,
        threads + (threads == 1 ? " thread" : " threads") + " (" + e.path("params") + ")",
        bytes,
        bytes,
        runs);
  }

  private static int requireInt(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new IllegalStateException(
          where + ": '" + field + "' missing or not an integer: " + describe(v));
    }
    return v.asInt();
  }

  private static double requireDouble(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
      throw new IllegalStateException(
          where + ": '" + field + "' missing or not a finite number: " + describe(v));
    }
    return v.asDouble();
  }

  private static String describe(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "nothing";
    }
    if (v.isArray()) {
      return v.size() + " element(s)";
    }
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }

  private record ProcessResult(int exitCode, String stdout, String stderrTail) {}

  /** Runs a command, copying its stderr to the log as it comes; 0 seconds means no limit. */
  private ProcessResult exec(List<String> command, long timeoutSeconds) throws IOException {
    Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    p.getOutputStream().close();
    StringBuilder stdout = new StringBuilder();
    List<String> tail = new ArrayList<>();
    Thread errCopier =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      synchronized (tail) {
                        tail.add(line);
                        if (tail.size() > 20) {
                          tail.remove(0);
                        }
                      }
                      synchronized (log) {
                        log.println(line);
                        log.flush();
                      }
                    }
                  } catch (IOException e) {
                    // The process went away; its exit code says what happened.
                  }
                });
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        stdout.append(line).append('\n');
      }
    }
    try {
      if (timeoutSeconds > 0 && !p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      int code = p.waitFor();
      errCopier.join();
      String tailText;
      synchronized (tail) {
        tailText = String.join("\n", tail);
      }
      return new ProcessResult(code, stdout.toString(), tailText);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(1), e);
    }
  }
}
