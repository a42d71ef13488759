package dev.bindery.eval.bench;

import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.VectorStorage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.lucene.util.IOUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bindery bench ann}: parses options, runs {@link AnnBenchmark}, prints and saves.
 *
 * <p>Why one class of about 540 lines: most of it is the thirty-odd picocli option declarations
 * with their help text; the work is in {@link AnnBenchmark}, {@link AnnComparison} and the peers.
 */
@Command(
    name = "ann",
    sortOptions = false,
    description = {
      "HNSW recall, single-thread QPS, build time and index size per vector storage, against"
          + " exact neighbours computed by brute force.",
      "Data: --dataset DIR (base.npy + queries.npy, as eval/bench-peers/prepare-sentences.sh"
          + " makes), --vectors FILE --queries FILE (.fvecs or .npy), or --synthetic N clustered"
          + " vectors.",
      "--peers also builds the same index with hnswlib and FAISS HNSW (Python, Debian packages;"
          + " eval/bench-peers/install-peers.sh installs them) and compares, in the same run.",
      "--rounds N alternates engines instead (Bindery, native hnswlib, JVector, optionally the"
          + " Python peers): builds and query rounds interleaved, ratios as medians of per-round"
          + " ratios with min-max (docs/benchmarks/ann-rounds.md)."
    })
public final class AnnBenchCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(
      names = "--dataset",
      paramLabel = "DIR",
      description =
          "Prepared dataset folder holding base.npy, queries.npy and optionally dataset.json;"
              + " exact neighbours are cached in it.")
  private Path datasetDir;

  @Option(names = "--vectors", paramLabel = "FILE", description = "Base vectors (.fvecs/.npy).")
  private Path vectors;

  @Option(
      names = "--queries",
      paramLabel = "FILE|N",
      description =
          "Query vectors (.fvecs/.npy) with --vectors; with --synthetic, how many queries to"
              + " draw (default 1000); with --dataset, use the first N queries (default all).")
  private String queries;

  @Option(
      names = "--synthetic",
      paramLabel = "N",
      description = "Generate N clustered unit vectors instead of reading files.")
  private Integer synthetic;

  @Option(
      names = "--dim",
      defaultValue = "384",
      description = "Synthetic dimension (${DEFAULT-VALUE}).")
  private int dim;

  @Option(
      names = "--clusters",
      defaultValue = "100",
      description = "Synthetic clusters (${DEFAULT-VALUE}).")
  private int clusters;

  @Option(names = "--seed", defaultValue = "42", description = "Synthetic seed (${DEFAULT-VALUE}).")
  private long seed;

  @Option(
      names = "--max-vectors",
      paramLabel = "N",
      description = "Index only the first N base vectors of --vectors or --dataset.")
  private Integer maxVectors;

  @Option(
      names = "--storage",
      split = ",",
      defaultValue = "float32,int8,int4,binary",
      converter = StorageConverter.class,
      description = "Storages to compare (${DEFAULT-VALUE}); float32 is the baseline.")
  private List<VectorStorage> storages;

  @Option(
      names = "--similarity",
      defaultValue = "cosine",
      converter = SimilarityConverter.class,
      description = "cosine, dot or l2 (${DEFAULT-VALUE}).")
  private Similarity similarity;

  @Option(
      names = "--m",
      defaultValue = "16",
      description = "HNSW max connections (${DEFAULT-VALUE}).")
  private int m;

  @Option(
      names = {"--ef-construction", "--beam"},
      defaultValue = "100",
      description = "HNSW build beam width, efConstruction (${DEFAULT-VALUE}).")
  private int beam;

  @Option(
      names = "--oversample",
      description = "Rescoring oversample for every storage (default: each storage's own).")
  private Float oversample;

  @Option(
      names = "--ef",
      split = ",",
      defaultValue = "10,20,40,80,160,320",
      description = "Query-time candidate list sizes (${DEFAULT-VALUE}).")
  private List<Integer> efs;

  @Option(
      names = "--k",
      defaultValue = "10",
      description = "Neighbours per query (${DEFAULT-VALUE}).")
  private int k;

  @Option(
      names = "--threads",
      defaultValue = "1",
      description =
          "Threads submitting index batches (${DEFAULT-VALUE}); queries always run on one. With"
              + " --rounds, the indexing threads and merge workers of the bindery-parallel"
              + " engine (2 when left at 1).")
  private int threads;

  @Option(
      names = "--merge-threads",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Threads Lucene builds a merged segment's HNSW graph with, forceMerge(1) included"
              + " (${DEFAULT-VALUE}); as bindery index loads, flushed segments get no graph and"
              + " the merge builds it whole from every thread.")
  private int mergeThreads;

  @Option(
      names = "--batch",
      defaultValue = "1000",
      description = "Items per upsert (${DEFAULT-VALUE}).")
  private int batch;

  @Option(
      names = "--recall-target",
      defaultValue = "0.95",
      description = "Recall the summary reports QPS at (${DEFAULT-VALUE}).")
  private double recallTarget;

  @Option(
      names = "--peers",
      description =
          "Also run hnswlib and FAISS HNSW at the same M and efConstruction, single-thread"
              + " queries (needs eval/bench-peers/install-peers.sh once).")
  private boolean peers;

  @Option(
      names = "--peer-engines",
      split = ",",
      defaultValue = "hnswlib,faiss-hnsw",
      description = "Peers to run with --peers (${DEFAULT-VALUE}).")
  private List<String> peerEngines;

  @Option(
      names = "--peer-build-threads",
      defaultValue = "1",
      description = "Threads the peers build their index with (${DEFAULT-VALUE}).")
  private int peerBuildThreads;

  @Option(
      names = "--python",
      defaultValue = "/usr/bin/python3",
      description = "Python that imports hnswlib and faiss (${DEFAULT-VALUE}).")
  private Path python;

  @Option(
      names = "--peers-script",
      paramLabel = "FILE",
      description = "peers.py to run (default: the copy of eval/bench-peers/peers.py in the jar).")
  private Path peersScript;

  @Option(
      names = "--json",
      paramLabel = "OUT",
      description = "Also write the report as JSON (with --peers, the side-by-side report).")
  private Path json;

  @Option(
      names = "--report-dir",
      paramLabel = "DIR",
      description =
          "Write NAME.md, NAME.json, NAME-recall-qps.png, NAME-recall-cpu-qps.png and"
              + " NAME-build.png (XChart plots) here; with --rounds, from the medians over"
              + " rounds.")
  private Path reportDir;

  @Option(
      names = "--report-name",
      paramLabel = "NAME",
      description =
          "File name stem in --report-dir (default: ann-peers with --peers or --rounds, else"
              + " ann-run).")
  private String reportName;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description =
          "Work directory: keeps cached synthetic data and ground truth between runs (default: a"
              + " temporary directory, deleted afterwards).")
  private Path work;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  private boolean noProgress;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Interleaved mode: build every engine --build-rounds times, alternated, then N query"
              + " rounds alternating engines at every ef; ratios against Bindery are medians of"
              + " per-round ratios with min-max (0, the default: the classic one-pass run).")
  private int rounds;

  @Option(
      names = "--build-rounds",
      paramLabel = "N",
      defaultValue = "2",
      description = "With --rounds: builds per engine, alternated (${DEFAULT-VALUE}).")
  private int buildRounds;

  @Option(
      names = "--warm-up",
      paramLabel = "N",
      defaultValue = "2",
      description = "With --rounds: untimed passes per engine and ef first (${DEFAULT-VALUE}).")
  private int warmUp;

  @Option(
      names = "--engines",
      split = ",",
      defaultValue = "bindery,hnswlib-native,jvector",
      description =
          "With --rounds: engines (${DEFAULT-VALUE}); bindery runs each --storage and is the"
              + " reference; bindery-parallel builds the first --storage from --threads indexing"
              + " threads (2 when left at 1) with as many merge workers; bindery-flush builds it"
              + " on one thread with each flushed segment's graph built as it is written (as"
              + " incremental writes do) where bindery builds graphs only at the final merge (as"
              + " bindery index does); hnswlib-native is"
              + " compiled by peers.py --build-native; hnswlib and faiss-hnsw are Debian's Python"
              + " bindings (peers.py --serve).")
  private List<String> roundEngines;

  @Option(
      names = "--native-binary",
      paramLabel = "FILE",
      description = "With --rounds: a prebuilt hnsw_native driver instead of compiling one.")
  private Path nativeBinary;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AnnBenchmark.Options options;
    PeerBenchmark.Request peerShape;
    try {
      options =
          new AnnBenchmark.Options(
              storages,
              similarity,
              m,
              beam,
              oversample,
              efs,
              k,
              batch,
              threads,
              Runtime.getRuntime().availableProcessors(),
              recallTarget,
              !noProgress);
      // Validates the peer options before any work starts; the file paths come later.
      peerShape =
          peers
              ? new PeerBenchmark.Request(
                  Path.of("base.npy"),
                  Path.of("queries.npy"),
                  similarity,
                  m,
                  beam,
                  efs,
                  k,
                  peerEngines,
                  peerBuildThreads)
              : null;
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    boolean temporary = work == null;
    Path workDir = temporary ? Files.createTempDirectory("bindery-bench-") : work;
    Files.createDirectories(workDir);
    try {
      PeerBenchmark peerBench = null;
      Map<String, String> peerVersions = Map.of();
      if (peers) {
        // Checked first, so a missing library costs seconds, not a finished Bindery run.
        Path script =
            peersScript != null
                ? peersScript
                : PeerBenchmark.extractScript(workDir.resolve("peers"));
        peerBench = new PeerBenchmark(python, script, err);
        try {
          peerVersions = peerBench.check();
        } catch (PeerBenchmark.PeersUnavailableException e) {
          err.println("bench ann --peers: " + e.getMessage());
          err.flush();
          return 3;
        }
        err.printf("peers: %s%n", peerVersions);
      }
      AnnDataset data = dataset(workDir.resolve("cache"));
      err.printf("dataset: %s%n", data);
      err.flush();
      if (mergeThreads < 1) {
        throw new ParameterException(
            spec.commandLine(), "--merge-threads must be >= 1, got " + mergeThreads);
      }
      AnnBenchmark bench = new AnnBenchmark(options, err, mergeThreads);
      Path truthCache = datasetDir != null ? datasetDir : workDir.resolve("cache");
      GroundTruth truth = bench.groundTruth(data, truthCache);
      if (rounds > 0) {
        return runRounds(data, truth, workDir, out, err);
      }

      List<EngineResult> peerResults = List.of();
      if (peerBench != null) {
        // The peers read exactly the rows Bindery indexes (after --max-vectors / --queries).
        Path peerData = workDir.resolve("peers");
        Path baseFile = peerData.resolve("base.npy");
        Path queryFile = peerData.resolve("queries.npy");
        NpyFormat.writeFloat32(baseFile, data.base());
        NpyFormat.writeFloat32(queryFile, data.queries());
        PeerBenchmark.Request request =
            new PeerBenchmark.Request(
                baseFile,
                queryFile,
                peerShape.similarity(),
                peerShape.m(),
                peerShape.efConstruction(),
                peerShape.efs(),
                peerShape.k(),
                peerShape.engines(),
                peerShape.buildThreads());
        try {
          PeerBenchmark.Results results =
              peerBench.run(request, data.queries().length, truth.ids(), peerData);
          peerResults = results.engines();
          peerVersions = results.versions();
        } catch (PeerBenchmark.PeersUnavailableException | IllegalStateException e) {
          // The script's own message (with its stderr tail) says what went wrong.
          err.println("bench ann --peers: " + e.getMessage());
          err.flush();
          return e instanceof PeerBenchmark.PeersUnavailableException ? 3 : 1;
        } finally {
          Files.deleteIfExists(baseFile);
          Files.deleteIfExists(queryFile);
        }
      }

      AnnReport report = bench.run(data, workDir, truth);
      report.printTable(out);
      boolean compare = peers || reportDir != null;
      AnnComparison comparison =
          compare ? AnnComparison.of(report, peerResults, peerVersions, commandLine()) : null;
      if (comparison != null) {
        comparison.printSummary(out);
      }
      if (json != null) {
        if (comparison != null) {
          comparison.writeJson(json);
        } else {
          report.writeJson(json);
        }
        out.printf("wrote %s%n", json);
      }
      if (reportDir != null) {
        String name = reportName != null ? reportName : peers ? "ann-peers" : "ann-run";
        AnnComparison.ReportFiles files = comparison.writeAll(reportDir, name);
        out.printf(
            "wrote %s, %s, %s, %s, %s%n",
            files.markdown(),
            files.json(),
            files.recallPng(),
            files.recallCpuPng(),
            files.buildPng());
      }
      out.flush();
      return 0;
    } finally {
      if (temporary) {
        IOUtils.rm(workDir);
      }
    }
  }

  private int runRounds(
      AnnDataset data, GroundTruth truth, Path workDir, PrintWriter out, PrintWriter err)
      throws Exception {
    AnnRounds.Setup setup;
    InterleavedAnnBenchmark.Options roundOptions;
    try {
      setup =
          new AnnRounds.Setup(
              roundEngines,
              storages,
              similarity,
              m,
              beam,
              batch,
              mergeThreads,
              Math.max(2, threads),
              peerBuildThreads,
              nativeBinary,
              python,
              peersScript);
      roundOptions =
          new InterleavedAnnBenchmark.Options(efs, k, rounds, buildRounds, warmUp, recallTarget);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    try {
      return AnnRounds.run(
          setup,
          roundOptions,
          data,
          truth.ids(),
          workDir,
          json,
          reportDir,
          reportName != null ? reportName : "ann-peers",
          commandLine(),
          out,
          err);
    } catch (PeerBenchmark.PeersUnavailableException e) {
      err.println("bench ann --rounds: " + e.getMessage());
      err.flush();
      return 3;
    }
  }

  /** The command line as typed after {@code bindery}, for the report's "regenerate with". */
  private String commandLine() {
    StringBuilder sb = new StringBuilder("bin/bindery bench ann");
    String home = System.getProperty("user.home", "");
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    // The parse result holds the whole command line (bench ann ... or ann ...): keep what follows
    // this subcommand's name.
    int at = args.indexOf(spec.name());
    for (String arg : args.subList(at + 1, args.size())) {
      // The shell expanded ~ in a path; put it back so the command works for another user.
      if (!home.isEmpty() && !home.equals("/") && arg.startsWith(home + "/")) {
        arg = "~" + arg.substring(home.length());
      }
      sb.append(' ').append(arg.matches("[A-Za-z0-9_./:=,@%+~-]+") ? arg : "'" + arg + "'");
    }
    return sb.toString();
  }

  private AnnDataset dataset(Path cacheDir) throws java.io.IOException {
    if (maxVectors != null && maxVectors < 1) {
      throw new ParameterException(
          spec.commandLine(), "--max-vectors must be >= 1, got " + maxVectors);
    }
    if (datasetDir != null) {
      if (synthetic != null || vectors != null) {
        throw new ParameterException(
            spec.commandLine(), "give one of --dataset DIR, --vectors FILE or --synthetic N");
      }
      int queryLimit = Integer.MAX_VALUE;
      if (queries != null) {
        try {
          queryLimit = Integer.parseInt(queries.strip());
        } catch (NumberFormatException e) {
          throw new ParameterException(
              spec.commandLine(),
              "with --dataset, --queries is how many of its queries to use, got '" + queries + "'",
              e);
        }
        if (queryLimit < 1) {
          throw new ParameterException(
              spec.commandLine(), "--queries must be >= 1, got " + queryLimit);
        }
      }
      return AnnDataset.fromDirectory(
          datasetDir, maxVectors == null ? Integer.MAX_VALUE : maxVectors, queryLimit);
    }
    if (synthetic != null) {
      if (vectors != null) {
        throw new ParameterException(
            spec.commandLine(), "give either --synthetic N or --vectors FILE, not both");
      }
      int queryCount = 1000;
      if (queries != null) {
        try {
          queryCount = Integer.parseInt(queries.strip());
        } catch (NumberFormatException e) {
          throw new ParameterException(
              spec.commandLine(),
              "with --synthetic, --queries is a count of queries to draw, got '" + queries + "'",
              e);
        }
      }
      if (synthetic < 1 || queryCount < 1) {
        throw new ParameterException(
            spec.commandLine(),
            "--synthetic and --queries must be >= 1, got " + synthetic + " and " + queryCount);
      }
      return AnnDataset.synthetic(synthetic, dim, clusters, queryCount, seed, cacheDir);
    }
    if (vectors == null || queries == null) {
      throw new ParameterException(
          spec.commandLine(),
          "give --dataset DIR, --vectors FILE and --queries FILE (.fvecs or .npy), or --synthetic"
              + " N");
    }
    return AnnDataset.fromFiles(
        vectors, Path.of(queries), maxVectors == null ? Integer.MAX_VALUE : maxVectors);
  }

  /** Storage names as {@link VectorStorage#fromName} reads them. */
  static final class StorageConverter implements ITypeConverter<VectorStorage> {
    @Override
    public VectorStorage convert(String value) {
      return VectorStorage.fromName(value);
    }
  }

  /** Similarity names as {@link Similarity#fromName} reads them. */
  static final class SimilarityConverter implements ITypeConverter<Similarity> {
    @Override
    public Similarity convert(String value) {
      return Similarity.fromName(value);
    }
  }
}
