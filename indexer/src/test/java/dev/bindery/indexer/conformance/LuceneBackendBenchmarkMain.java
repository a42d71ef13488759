package dev.bindery.indexer.conformance;

import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs {@link BackendBenchmark} on the embedded backend and prints its result line. The SolrCloud
 * benchmark starts this in a child JVM (the embedded backend's Lucene 10 cannot share a class path
 * with Solr's Lucene 9). Arguments: items dim batch queries seed.
 */
public final class LuceneBackendBenchmarkMain {
  private LuceneBackendBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: LuceneBackendBenchmarkMain ITEMS DIM BATCH QUERIES SEED");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("bindery-bench-embedded");
    try (LuceneBackend backend = new LuceneBackend(dir)) {
      BackendBenchmark.Result r =
          BackendBenchmark.run(
              "embedded",
              backend,
              "bench",
              Integer.parseInt(args[0]),
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              Integer.parseInt(args[3]),
              Long.parseLong(args[4]));
      System.out.println("RESULT " + r.toLine());
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
