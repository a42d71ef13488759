package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.VectorStorage;
import dev.bindery.indexer.lucene.HnswMergeWorkers;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sets up the engines of {@code bench ann --rounds} ({@code bindery} with each storage asked for,
 * {@code hnswlib-native}, {@code jvector}, and Debian's Python {@code hnswlib} and {@code
 * faiss-hnsw} through {@code peers.py --serve}), runs {@link InterleavedAnnBenchmark} and closes
 * them.
 */
final class AnnRounds {

  /** Engine names {@code --engines} accepts. */
  static final List<String> ENGINES =
      List.of(
          "bindery",
          "bindery-parallel",
          "bindery-flush",
          "hnswlib-native",
          "jvector",
          "hnswlib",
          "faiss-hnsw");

  private static final String NATIVE_SOURCE = "/dev/bindery/eval/bench/peers/hnsw_native.cpp";

  /**
   * What to run.
   *
   * @param engines names from {@link #ENGINES}; "bindery" expands to one engine per storage and
   *     always comes first (it is the reference); "bindery-parallel" adds one engine on the first
   *     storage that builds from {@code parallelThreads} indexing threads with as many merge
   *     workers; "bindery-flush" adds one on the first storage built on one thread with each
   *     flushed segment's graph built as it is written ({@code HnswMergeWorkers.none()}, as
   *     incremental writes through the server do) where the reference builds as {@code bindery
   *     index} does, graphs only at the final merge ({@code HnswMergeWorkers.bulk})
   * @param storages Bindery's storages
   * @param similarity how vectors compare
   * @param m HNSW M
   * @param beam efConstruction
   * @param batch Bindery's upsert batch size
   * @param mergeThreads threads Bindery's merges build HNSW graphs with
   * @param parallelThreads indexing threads and merge workers of the bindery-parallel engine
   * @param peerBuildThreads threads hnswlib-native and JVector build with
   * @param nativeBinary a prebuilt hnsw_native, or null to compile it with peers.py
   * @param python the interpreter that runs peers.py
   * @param peersScript peers.py
   */
  record Setup(
      List<String> engines,
      List<VectorStorage> storages,
      Similarity similarity,
      int m,
      int beam,
      int batch,
      int mergeThreads,
      int parallelThreads,
      int peerBuildThreads,
      Path nativeBinary,
      Path python,
      Path peersScript) {
    Setup {
      engines = List.copyOf(engines);
      for (String e : engines) {
        if (!ENGINES.contains(e)) {
          throw new IllegalArgumentException(
              "unknown engine '" + e + "'; known: " + String.join(", ", ENGINES));
        }
      }
      if (!engines.contains("bindery")) {
        throw new IllegalArgumentException("--engines must include bindery, the reference");
      }
      if (engines.contains("bindery-parallel") && parallelThreads < 2) {
        throw new IllegalArgumentException(
            "bindery-parallel builds with --threads indexing threads, which must be >= 2 for it,"
                + " got "
                + parallelThreads);
      }
    }
  }

  private AnnRounds() {}

  /** Runs the interleaved benchmark; returns the command's exit code. */
  static int run(
      Setup setup,
      InterleavedAnnBenchmark.Options options,
      AnnDataset data,
      int[][] truth,
      Path workDir,
      Path json,
      Path reportDir,
      String reportName,
      String commandLine,
      PrintWriter out,
      PrintWriter err)
      throws Exception {
    String loadAtStart = MachineFacts.loadAverage();
    List<RoundEngine> engines = new ArrayList<>();
    try {
      for (VectorStorage s : setup.storages()) {
        engines.add(
            bindery(
                setup,
                data,
                options,
                workDir,
                s,
                "",
                HnswMergeWorkers.bulk(setup.mergeThreads()),
                1));
      }
      // The variants run on the reference storage: their builds and recall curves are compared with
      // the single-thread build of the same storage.
      VectorStorage reference = setup.storages().get(0);
      if (setup.engines().contains("bindery-parallel")) {
        int threads = setup.parallelThreads();
        engines.add(
            bindery(
                setup,
                data,
                options,
                workDir,
                reference,
                "-parallel",
                HnswMergeWorkers.of(threads),
                threads));
      }
      if (setup.engines().contains("bindery-flush")) {
        // One thread, like the reference build, but each flush builds its segment's graph and the
        // final forceMerge(1) inserts the rest into the largest one.
        engines.add(
            bindery(
                setup, data, options, workDir, reference, "-flush", HnswMergeWorkers.none(), 1));
      }
      boolean native_ = setup.engines().contains("hnswlib-native");
      List<String> python =
          setup.engines().stream().filter(PeerBenchmark.ENGINES::contains).toList();
      if (native_ || !python.isEmpty()) {
        Path dir = workDir.resolve("rounds-peers");
        Files.createDirectories(dir);
        Path base = dir.resolve("base.npy");
        Path queries = dir.resolve("queries.npy");
        // The peers read exactly the rows Bindery indexes (after --max-vectors / --queries).
        NpyFormat.writeFloat32(base, data.base());
        NpyFormat.writeFloat32(queries, data.queries());
        Path script =
            setup.peersScript() != null
                ? setup.peersScript()
                : PeerBenchmark.extractScript(dir.resolve("script"));
        if (native_) {
          Path binary =
              setup.nativeBinary() != null
                  ? setup.nativeBinary()
                  : compileNative(setup, script, dir, err);
          engines.add(
              new SubprocessRoundEngine(
                  "hnswlib-native",
                  List.of(binary.toString()),
                  base,
                  queries,
                  setup.similarity(),
                  setup.m(),
                  setup.beam(),
                  options.k(),
                  setup.peerBuildThreads(),
                  err));
        }
        for (String engine : python) {
          engines.add(
              new SubprocessRoundEngine(
                  engine,
                  List.of(setup.python().toString(), script.toString(), "--serve", engine),
                  base,
                  queries,
                  setup.similarity(),
                  setup.m(),
                  setup.beam(),
                  options.k(),
                  setup.peerBuildThreads(),
                  err));
        }
      }
      if (setup.engines().contains("jvector")) {
        engines.add(
            new JVectorRoundEngine(
                setup.similarity(),
                data.base(),
                data.queries(),
                setup.m(),
                setup.beam(),
                options.k(),
                setup.peerBuildThreads()));
      }
      InterleavedAnnBenchmark bench = new InterleavedAnnBenchmark(options, err);
      List<InterleavedAnnBenchmark.EngineRounds> results = bench.run(engines, truth);
      bench.print(results, out);
      Map<String, Object> context = new LinkedHashMap<>();
      context.put("command", commandLine);
      Map<String, Object> dataset = new LinkedHashMap<>(data.description());
      dataset.put("count", data.base().length);
      dataset.put("dim", data.dim());
      dataset.put("query_count", data.queries().length);
      context.put("dataset", dataset);
      context.put("load_average_at_start", loadAtStart);
      context.put("load_average_at_end", MachineFacts.loadAverage());
      if (json != null) {
        bench.writeJson(results, context, json);
        out.printf("wrote %s%n", json);
      }
      if (reportDir != null) {
        AnnRoundsReport.ReportFiles files =
            AnnRoundsReport.write(reportDir, reportName, bench, options, results, context);
        out.printf(
            "wrote %s, %s, %s, %s, %s%n",
            files.markdown(), files.json(), files.recallQps(), files.recallCpuQps(), files.build());
      }
      out.flush();
      return 0;
    } finally {
      for (RoundEngine e : engines.reversed()) {
        e.close();
      }
    }
  }

  /** Compiles hnsw_native.cpp (from the eval jar) with {@code peers.py --build-native}. */
  private static Path compileNative(Setup setup, Path script, Path dir, PrintWriter err)
      throws Exception {
    Path src = dir.resolve("hnsw_native.cpp");
    try (InputStream in = AnnRounds.class.getResourceAsStream(NATIVE_SOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "hnsw_native.cpp is missing from the eval jar (" + NATIVE_SOURCE + "); rebuild eval");
      }
      Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
    }
    Path binary = dir.resolve("hnsw_native");
    Process p =
        new ProcessBuilder(
                setup.python().toString(),
                script.toString(),
                "--build-native",
                src.toString(),
                binary.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    p.getOutputStream().close();
    String answer =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    int code = p.waitFor();
    JsonNode node = answer.isBlank() ? null : new ObjectMapper().readTree(answer);
    if (code != 0 || node == null || !node.path("ok").asBoolean(false)) {
      throw new PeerBenchmark.PeersUnavailableException(
          "cannot compile the native hnswlib driver: "
              + (node == null ? "no answer (exit " + code + ")" : node.path("error").asText()),
          null);
    }
    err.printf("hnswlib-native: %s%n", node.path("command").asText());
    err.flush();
    return binary;
  }

  /** A Bindery engine on {@code storage}, its index in its own folder of {@code workDir}. */
  private static BinderyRoundEngine bindery(
      Setup setup,
      AnnDataset data,
      InterleavedAnnBenchmark.Options options,
      Path workDir,
      VectorStorage storage,
      String folderSuffix,
      HnswMergeWorkers mergeWorkers,
      int indexThreads) {
    return new BinderyRoundEngine(
        workDir.resolve("rounds-index-" + storage.wireName() + folderSuffix),
        storage,
        setup.similarity(),
        data.base(),
        data.queries(),
        setup.m(),
        setup.beam(),
        options.k(),
        setup.batch(),
        mergeWorkers,
        indexThreads);
  }
}
