package dev.bindery.eval.bench;

import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.VectorStorage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bindery bench ann}: parses options, runs {@link AnnBenchmark}, prints and saves. */
@Command(
    name = "ann",
    sortOptions = false,
    description = {
      "HNSW recall, single-thread QPS, build time and index size per vector storage, against"
          + " exact neighbours computed by brute force.",
      "Data: --vectors FILE --queries FILE (.fvecs or .npy), or --synthetic N clustered vectors."
    })
public final class AnnBenchCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(names = "--vectors", paramLabel = "FILE", description = "Base vectors (.fvecs/.npy).")
  private Path vectors;

  @Option(
      names = "--queries",
      paramLabel = "FILE|N",
      description =
          "Query vectors (.fvecs/.npy) with --vectors; with --synthetic, how many queries to"
              + " draw (default 1000).")
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
      description = "Index only the first N base vectors of --vectors.")
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
      names = "--beam",
      defaultValue = "100",
      description = "HNSW build beam width (${DEFAULT-VALUE}).")
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
          "Threads submitting index batches (${DEFAULT-VALUE}); queries always run on one.")
  private int threads;

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

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the report as JSON.")
  private Path json;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description =
          "Work directory: keeps cached synthetic data and ground truth between runs (default: a"
              + " temporary directory, deleted afterwards).")
  private Path work;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  private boolean noProgress;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AnnBenchmark.Options options;
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
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    boolean temporary = work == null;
    Path workDir = temporary ? Files.createTempDirectory("bindery-bench-") : work;
    Files.createDirectories(workDir);
    try {
      AnnDataset data = dataset(workDir.resolve("cache"));
      err.printf("dataset: %s%n", data);
      err.flush();
      AnnReport report = new AnnBenchmark(options, err).run(data, workDir);
      report.printTable(out);
      if (json != null) {
        report.writeJson(json);
        out.printf("wrote %s%n", json);
        out.flush();
      }
      return 0;
    } finally {
      if (temporary) {
        AnnBenchmark.deleteRecursively(workDir);
      }
    }
  }

  private AnnDataset dataset(Path cacheDir) throws java.io.IOException {
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
          "give --vectors FILE and --queries FILE (.fvecs or .npy), or --synthetic N");
    }
    if (maxVectors != null && maxVectors < 1) {
      throw new ParameterException(
          spec.commandLine(), "--max-vectors must be >= 1, got " + maxVectors);
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
