package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.conformance.BackendBenchmark;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest items/s and query QPS of a 2x2 SolrCloud (2 nodes in this JVM) against the embedded
 * backend on the same data, same machine, same run; writes {@code docs/benchmarks/solrcloud.md}.
 * Opt-in and slow: run {@code solrcloud/bench/run.sh}, which sets {@code bindery.solr.bench=true}
 * and passes the embedded backend's class path ({@code bindery.bench.embeddedClasspath}): the
 * embedded backend runs in a child JVM because its Lucene 10 cannot share a class path with Solr's
 * Lucene 9.
 */
@EnabledIfSystemProperty(named = "bindery.solr.bench", matches = "true")
class SolrCloudBenchmarkTest {
  @TempDir Path dir;

  @Test
  void solrCloudAgainstEmbedded() throws Exception {
    int items = Integer.getInteger("bindery.bench.items", 20_000);
    int dim = Integer.getInteger("bindery.bench.dim", 128);
    int batch = Integer.getInteger("bindery.bench.batch", 500);
    int queries = Integer.getInteger("bindery.bench.queries", 500);
    long seed = 20261127L;
    String cp = System.getProperty("bindery.bench.embeddedClasspath", "");
    double loadBefore = loadAverage();

    BackendBenchmark.Result embedded =
        cp.isBlank() ? null : runEmbedded(cp, items, dim, batch, queries, seed);
    BackendBenchmark.Result solr;
    try (SolrTestCluster cluster = SolrTestCluster.start(2, dir);
        SolrCloudBackend backend = cluster.connect(SolrCloudOptions.defaults())) {
      solr =
          BackendBenchmark.run("solrcloud-2x2", backend, "bench", items, dim, batch, queries, seed);
    }
    System.out.println("RESULT " + solr.toLine());
    assertTrue(solr.recallAt10() >= 0.9, solr.toLine());
    if (embedded == null) {
      return;
    }
    System.out.println("RESULT " + embedded.toLine());
    assertEquals(embedded.items(), solr.items());
    Path out = Path.of(System.getProperty("bindery.bench.out", "../docs/benchmarks/solrcloud.md"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, report(embedded, solr, loadBefore));
    System.out.println("wrote " + out.toAbsolutePath().normalize());
  }

  private static BackendBenchmark.Result runEmbedded(
      String cp, int items, int dim, int batch, int queries, long seed) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java.toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx2g",
                "-cp",
                cp,
                "dev.bindery.indexer.conformance.LuceneBackendBenchmarkMain",
                Integer.toString(items),
                Integer.toString(dim),
                Integer.toString(batch),
                Integer.toString(queries),
                Long.toString(seed)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String result = null;
    StringBuilder log = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        log.append(line).append('\n');
        if (line.startsWith("RESULT ")) {
          result = line.substring("RESULT ".length());
        }
      }
    }
    int rc = p.waitFor();
    if (rc != 0 || result == null) {
      throw new IllegalStateException("embedded benchmark failed (exit " + rc + "):\n" + log);
    }
    return BackendBenchmark.Result.parse(result);
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String report(
      BackendBenchmark.Result e, BackendBenchmark.Result s, double loadBefore) {
    return String.format(
        Locale.ROOT,
        """
        # SolrCloud backend against the embedded backend

        Produced by `BINDERY_BENCH_ITEMS=%d BINDERY_BENCH_DIM=%d BINDERY_BENCH_QUERIES=%d
        solrcloud/bench/run.sh` (the opt-in `SolrCloudBenchmarkTest`, run with
        `-Dbindery.solr.bench=true`). Same data (%d clustered %d-d unit vectors, cosine, seed
        20261127), same machine, same run: the embedded `LuceneBackend` (Lucene 10.6) in a child
        JVM, then a 2-node SolrCloud 9.10.1 (`MiniSolrCloudCluster`, both nodes and the embedded
        ZooKeeper in the test JVM) with one collection of 2 shards x 2 replicas. Ingest is %d
        upserts of %d items plus a commit; queries are kNN k=10 (ef 100) from one thread after as
        many warm-up queries. `available processors` = %d.

        | backend | ingest items/s | query QPS | recall@10 |
        |---|---:|---:|---:|
        | embedded (Lucene 10.6) | %.0f | %.0f | %.3f |
        | SolrCloud 2x2 (Solr 9.10.1) | %.0f | %.0f | %.3f |
        | ratio SolrCloud / embedded | %.3f | %.3f | |

        The machine is shared: the 1-minute load average was %.1f before and %.1f after the
        run on %d cores, so absolute numbers are low for both backends and the query ratio
        especially (every Solr request hops between several threads, each waiting for a core);
        rerun on an idle machine for absolute figures.

        Where the difference comes from:
        - Every write is replicated: each document is indexed by its shard leader and again by
          the replica, and its HNSW graph insertion (the dominant cost) runs on both, on the
          same cores; the leader waits for the replica before it answers.
        - Each batch does more than the embedded index: a real-time get of the batch's previous
          versions (kept for rollback), javabin serialization of every vector over HTTP, and a
          ZooKeeper read of the collection's properties.
        - A query is an HTTP round trip to a coordinating node, which fans out to one replica of
          each shard and merges their sorted top-k (fields come back in the same pass,
          `distrib.singlePass`), where the embedded backend calls Lucene in-process on the
          caller's thread.
        - Solr 9.10 runs Lucene 9.12, whose vector code is slower on JDK 25 than Lucene 10.6's
          (`indexer/bench/vector-kernels.sh`, on this machine at load average ~20: 421 against
          158 CPU ns per 768-d dot product, 2.7x).
        - Each shard searches its half with topK = ef, so the cluster compares more vectors per
          query than one index of the same size does.

        On one machine SolrCloud can only be slower: its point is more machines, failover and
        replication, not single-node speed.
        """,
        e.items(),
        e.dim(),
        e.queries(),
        e.items(),
        e.dim(),
        (e.items() + e.batch() - 1) / e.batch(),
        e.batch(),
        Runtime.getRuntime().availableProcessors(),
        e.ingestPerSecond(),
        e.qps(),
        e.recallAt10(),
        s.ingestPerSecond(),
        s.qps(),
        s.recallAt10(),
        s.ingestPerSecond() / e.ingestPerSecond(),
        s.qps() / e.qps(),
        loadBefore,
        loadAverage(),
        Runtime.getRuntime().availableProcessors());
  }
}
