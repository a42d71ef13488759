package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.SyntheticVectors;
import dev.bindery.indexer.conformance.Reference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.solr.embedded.JettySolrRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One of two Solr nodes stops while another thread keeps searching: searches keep returning
 * complete results from the surviving replicas with unchanged recall, writes go on (retried while
 * leaders move), and once the node is back it catches up and everything written is there.
 */
class SolrCloudFaultTest {
  static final int DIM = 32;
  static final long SEED = 77;

  /** How long a wait for the reader may go without the searches it waits for. */
  static final long AWAIT_S = 300;

  @TempDir Path dir;

  @Test
  void searchesSurviveANodeLossAndWritesResumeAfterIt() throws Exception {
    SyntheticVectors sv = SyntheticVectors.clustered(2400, DIM, 40, SEED);
    float[][] all = sv.vectors();
    float[][] queries = sv.queries(40, SEED + 1);
    // Generous retries: a leader election on a loaded machine can take several seconds.
    SolrCloudOptions options =
        SolrCloudOptions.defaults().withRetries(15, Duration.ofMillis(200), Duration.ofSeconds(3));
    try (SolrTestCluster solr = SolrTestCluster.start(2, dir);
        SolrCloudBackend backend = solr.connect(options)) {
      backend.createCollection(
          CollectionConfig.of("fault", SpaceConfig.of("e", DIM, Similarity.COSINE)));
      for (int from = 0; from < 2000; from += 500) {
        backend.upsert("fault", items(all, from, from + 500));
      }
      backend.commit("fault");
      float[][] before = Arrays.copyOf(all, 2000);
      double recallBefore = recall(backend, before, queries);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong searches = new AtomicLong();
      AtomicLong incomplete = new AtomicLong();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      Thread reader =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    List<Hit> hits =
                        backend
                            .knn("fault", KnnQuery.of("e", queries[i % queries.length], 10))
                            .hits();
                    if (hits.size() != 10) {
                      incomplete.incrementAndGet();
                    }
                  } catch (RuntimeException e) {
                    errors.add(e);
                  }
                  searches.incrementAndGet();
                }
              },
              "fault-reader");
      reader.setDaemon(true); // a failed assertion must not leave it searching a closed cluster
      reader.start();
      awaitSearches(searches, 20, reader);

      JettySolrRunner node = solr.cluster.getJettySolrRunner(0);
      solr.stopNode(node);
      long atStop = searches.get();
      awaitSearches(searches, atStop + 30, reader);
      double recallDown = recall(backend, before, queries);

      // Writes while a node is down: leaders move to the surviving replicas; retries cover the
      // election.
      long retriesBefore = backend.retries();
      backend.upsert("fault", items(all, 2000, 2200));
      long retriesWhileDown = backend.retries() - retriesBefore;

      solr.cluster.startJettySolrRunner(node);
      solr.cluster.waitForActiveCollection("fault", 2, 4);
      awaitSearches(searches, searches.get() + 10, reader);
      backend.upsert("fault", items(all, 2200, 2400));
      backend.commit("fault");
      stop.set(true);
      reader.join(TimeUnit.SECONDS.toMillis(AWAIT_S));
      assertFalse(reader.isAlive(), "the reader thread did not stop within " + AWAIT_S + " s");

      double recallAfter = recall(backend, all, queries);
      String report =
          "fault: searches="
              + searches.get()
              + " (after the stop: "
              + (searches.get() - atStop)
              + ") client-visible errors="
              + errors.size()
              + " incomplete results="
              + incomplete.get()
              + " retries while down="
              + retriesWhileDown
              + " total retries="
              + backend.retries()
              + " recall@10 before="
              + recallBefore
              + " node down="
              + recallDown
              + " after="
              + recallAfter;
      System.out.println(report);
      errors.forEach(e -> e.printStackTrace(System.out));
      assertEquals(0, errors.size(), report);
      assertEquals(0, incomplete.get(), report);
      assertTrue(recallBefore >= 0.95, report);
      assertTrue(Math.abs(recallDown - recallBefore) <= 0.02, report);
      assertTrue(recallAfter >= 0.95, report);
      assertEquals(2400, backend.describe("fault").count(), report);
      for (int i : new int[] {0, 2100, 2399}) {
        assertTrue(backend.get("fault", Integer.toString(i)).isPresent(), "item " + i);
      }
      // Both replicas of each shard hold every item: ask each node alone.
      for (JettySolrRunner j : solr.cluster.getJettySolrRunners()) {
        try (var direct =
            new org.apache.solr.client.solrj.impl.Http2SolrClient.Builder(j.getBaseUrl().toString())
                .build()) {
          var p = new org.apache.solr.common.params.ModifiableSolrParams();
          p.set("q", "*:*");
          p.set("rows", 0);
          p.set("distrib", false);
          long perNode = 0;
          for (String core : j.getCoreContainer().getAllCoreNames()) {
            perNode += direct.query(core, p).getResults().getNumFound();
          }
          assertEquals(2400, perNode, "documents on node " + j.getNodeName());
        }
      }
    }
  }

  private static List<Item> items(float[][] all, int from, int to) {
    List<Item> out = new ArrayList<>();
    for (int i = from; i < to; i++) {
      out.add(Item.builder(Integer.toString(i), "vector").vector("e", all[i]).build());
    }
    return out;
  }

  private static double recall(SolrCloudBackend b, float[][] base, float[][] queries) {
    double sum = 0;
    for (float[] q : queries) {
      List<String> got =
          b.knn("fault", KnnQuery.of("e", q, 10)).hits().stream().map(Hit::id).toList();
      sum += Reference.recall(got, Reference.topK(Similarity.COSINE, base, q, 10, i -> true));
    }
    return sum / queries.length;
  }

  /** Waits until the reader has run {@code n} searches: paced by progress, not by a clock. */
  /**
   * Waits until the reader has done {@code n} searches. Paced by the reader's progress, not by
   * time; the deadline only turns a dead or stuck reader (or a cluster that stopped answering) into
   * a failure instead of a hung build.
   */
  private static void awaitSearches(AtomicLong searches, long n, Thread reader)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_S);
    while (searches.get() < n) {
      if (!reader.isAlive()) {
        fail("the reader thread died after " + searches.get() + " of " + n + " searches");
      }
      if (System.nanoTime() > deadline) {
        fail("no progress: " + searches.get() + " of " + n + " searches after " + AWAIT_S + " s");
      }
      Thread.sleep(10);
    }
  }
}
