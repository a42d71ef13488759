package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a real Solr can do to a batch: refuse documents that passed Bindery's checks. The batch
 * must be rolled back whole (replaced items back as they were, new ones gone) and the error must
 * name the items Solr refused. Also ids that mean something to Solr's routing.
 */
class SolrCloudWriteFailureTest {
  @TempDir static Path dir;
  static SolrTestCluster solr;

  @BeforeAll
  static void startCluster() throws Exception {
    solr = SolrTestCluster.start(2, dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (solr != null) {
      solr.close();
    }
  }

  static float[] v(float... xs) {
    return xs;
  }

  static Item original(String id, float[] vector) {
    return Item.builder(id, "image")
        .source("/p/" + id)
        .vector("e", vector)
        .meta("colour", "red")
        .text("caption", "original " + id)
        .build();
  }

  @Test
  void aSolrSideFailureMidBatchRollsTheWholeBatchBack() throws Exception {
    try (SolrCloudBackend b = solr.connect(SolrCloudOptions.defaults())) {
      b.createCollection(CollectionConfig.of("refused", SpaceConfig.of("e", 4, Similarity.COSINE)));
      Item e1 = original("e1", v(1, 0, 0, 0));
      Item e2 =
          Item.builder("e2", "video")
              .meta("colour", "red")
              .segment(new Segment(0, 1, "one", Map.of("e", v(0, 1, 0, 0))))
              .segment(new Segment(1, 2, "two", Map.of("e", v(0, 0, 1, 0))))
              .segment(new Segment(2, 3, "three", Map.of("e", v(0, 0, 0, 1))))
              .build();
      b.upsert("refused", List.of(e1, e2, original("e3", v(1, 1, 0, 0))));
      b.commit("refused");

      // Lucene refuses terms over 32766 bytes; Bindery leaves that check to Solr.
      String immense = "x".repeat(40_000);
      List<Item> batch =
          List.of(
              original("n1", v(0, 1, 1, 0)),
              Item.builder("e1", "image").vector("e", v(0, 0, 0, 1)).meta("colour", "blue").build(),
              Item.builder("n2", "image").vector("e", v(1, 0, 1, 0)).meta("note", immense).build(),
              Item.builder("e2", "video")
                  .meta("colour", "blue")
                  .segment(new Segment(5, 6, null, Map.of("e", v(1, 0, 0, 1))))
                  .build(),
              Item.builder("n3", "image")
                  .vector("e", v(0, 1, 0, 1))
                  .meta("note", List.of("fine", immense))
                  .build());
      RejectedItemsException e =
          assertThrows(RejectedItemsException.class, () -> b.upsert("refused", batch));
      assertEquals(List.of("n2", "n3"), List.copyOf(e.failedItems().keySet()), e.getMessage());
      assertTrue(e.getMessage().contains("rejected 2 of 5 item(s)"), e.getMessage());
      assertTrue(e.getMessage().contains("item 'n2'"), e.getMessage());
      assertTrue(e.failedItems().get("n2").contains("immense term"), e.failedItems().toString());

      b.commit("refused");
      assertEquals(3, b.describe("refused").count(), "nothing of the batch may remain");
      assertEquals(1 + 3 + 1, b.describe("refused").vectorCount());
      for (String gone : List.of("n1", "n2", "n3")) {
        assertTrue(b.get("refused", gone).isEmpty(), gone + " was written");
      }
      assertSame(e1, b.get("refused", "e1").orElseThrow());
      assertSame(e2, b.get("refused", "e2").orElseThrow());
      // e2's old last segment (0,0,0,1) is nearest, then e1's old vector (1,0,0,0).
      assertEquals(
          List.of("e2", "e1"),
          b
              .knn(
                  "refused",
                  KnnQuery.of("e", v(0.1f, 0, 0, 1), 2)
                      .withFilter(
                          Filter.term("colour", "red").andNot(Filter.term("colour", "blue")))
                      .withMode(SearchMode.EXACT))
              .hits()
              .stream()
              .map(Hit::id)
              .toList());
      // The rolled-back items are whole again: e2's three segments, not the batch's one.
      assertEquals(3, b.get("refused", "e2").orElseThrow().segments().size());
    }
  }

  private static void assertSame(Item want, Item got) {
    assertEquals(want.modality(), got.modality());
    assertEquals(want.source(), got.source());
    assertEquals(want.metadata(), got.metadata());
    assertEquals(want.text(), got.text());
    assertEquals(want.vectors().keySet(), got.vectors().keySet());
    assertEquals(want.segments().size(), got.segments().size());
    for (int i = 0; i < want.segments().size(); i++) {
      assertEquals(want.segments().get(i).start(), got.segments().get(i).start());
      assertEquals(want.segments().get(i).text(), got.segments().get(i).text());
      assertArrayEquals(
          want.segments().get(i).vectors().get("e"), got.segments().get(i).vectors().get("e"));
    }
  }

  @Test
  void idsWithRoutingCharactersRoundTrip() throws Exception {
    List<String> ids =
        List.of("a!b", "a/2!c", "x,y", "50%", "back\\slash", "white space", "é日本", "a!b!c", "!");
    try (SolrCloudBackend b = solr.connect(SolrCloudOptions.defaults())) {
      b.createCollection(CollectionConfig.of("odd-ids", SpaceConfig.of("e", 4, Similarity.L2)));
      for (int i = 0; i < ids.size(); i++) {
        b.upsert(
            "odd-ids",
            List.of(
                Item.builder(ids.get(i), "image")
                    .vector("e", v(i, 0, 0, 0))
                    .segment(Segment.of(0, 1, Map.of("e", v(i, 1, 0, 0))))
                    .build()));
      }
      b.putFilterSet("odd-ids", "odd", ids.subList(0, 4));
      b.refresh("odd-ids");
      assertEquals(ids.size(), b.describe("odd-ids").count());
      for (int i = 0; i < ids.size(); i++) {
        Item got = b.get("odd-ids", ids.get(i)).orElseThrow(() -> new AssertionError("lost"));
        assertEquals(ids.get(i), got.id());
        assertEquals(1, got.segments().size());
        List<Hit> hits = b.knn("odd-ids", KnnQuery.of("e", v(i, 0, 0, 0), 1)).hits();
        assertEquals(ids.get(i), hits.get(0).id());
      }
      assertEquals(
          java.util.Set.copyOf(ids.subList(0, 4)),
          java.util.Set.copyOf(
              b
                  .knn("odd-ids", KnnQuery.of("e", v(0, 0, 0, 0), 20).withFilter(Filter.set("odd")))
                  .hits()
                  .stream()
                  .map(Hit::id)
                  .toList()));
      assertEquals(ids.size(), b.delete("odd-ids", ids));
      b.refresh("odd-ids");
      assertEquals(0, b.describe("odd-ids").count());
      assertEquals(0, b.describe("odd-ids").vectorCount());
    }
  }

  @Test
  void collectionsBinderyDidNotCreateAreLeftAlone() throws Exception {
    try (SolrCloudBackend b = solr.connect(SolrCloudOptions.defaults());
        CloudSolrClient client = solr.client()) {
      b.createCollection(CollectionConfig.of("ours", SpaceConfig.of("e", 4, Similarity.COSINE)));
      // Someone else's collection (on a copy of our configset, which is at hand).
      CollectionAdminRequest.createCollection("theirs", "bindery.ours", 1, 1).process(client);
      assertTrue(b.listCollections().contains("ours"));
      assertFalse(b.listCollections().contains("theirs"));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> b.dropCollection("theirs"));
      assertTrue(e.getMessage().contains("was not created by Bindery"), e.getMessage());
      assertTrue(client.getClusterState().hasCollection("theirs"), "it was not dropped");
      assertThrows(
          IllegalArgumentException.class,
          () ->
              b.createCollection(
                  CollectionConfig.of("theirs", SpaceConfig.of("e", 4, Similarity.COSINE))));
      CollectionAdminRequest.deleteCollection("theirs").process(client);
      assertTrue(b.dropCollection("ours"));
    }
  }
}
