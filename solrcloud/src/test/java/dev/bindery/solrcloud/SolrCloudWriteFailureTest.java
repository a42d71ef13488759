package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.common.cloud.SolrZkClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a real Solr can do to a batch: refuse documents that passed Bindery's checks. The batch
 * must be rolled back whole (replaced items back as they were, new ones gone) and the error must
 * name the items Solr refused. Input that Solr would refuse for a reason Bindery can see (a keyword
 * over Lucene's term limit, a date Solr cannot hold) must instead be rejected before anything is
 * sent, as the embedded backend does. Also ids that mean something to Solr's routing.
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

  /**
   * Changes the collection's Solr schema behind Bindery's back: every value of metadata field
   * 'note' is also copied into a long field, so Solr refuses a document whose note is not a number.
   * Bindery's own checks cannot see that (the schema is theirs to rely on), so only Solr can refuse
   * such an item. The schema is immutable to the Schema API, so the test edits it in ZooKeeper and
   * reloads the collection, as an operator would.
   */
  private static void refuseNonNumericNotes(String collection) throws Exception {
    SolrZkClient zk = solr.cluster.getZkClient();
    String path =
        "/configs/"
            + SolrCloudBackend.CONFIGSET_PREFIX
            + collection
            + "/"
            + SolrConfigset.SCHEMA_FILE;
    String schema = new String(zk.getData(path, null, null, true), StandardCharsets.UTF_8);
    String noteField = SolrFields.meta("note", FieldType.KEYWORD);
    String changed =
        schema.replace(
            "</schema>",
            "  <field name=\"note_number\" type=\"plong\" indexed=\"true\" stored=\"false\""
                + " multiValued=\"true\"/>\n"
                + "  <copyField source=\""
                + noteField
                + "\" dest=\"note_number\"/>\n</schema>");
    assertNotEquals(schema, changed);
    zk.setData(path, changed.getBytes(StandardCharsets.UTF_8), true);
    try (CloudSolrClient client = solr.client()) {
      CollectionAdminRequest.reloadCollection(collection).process(client);
    }
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
      refuseNonNumericNotes("refused");

      // Every item passes Bindery's checks ('note' is a keyword); Solr takes n1's note "7" but
      // refuses n2's and n3's, whose notes are not numbers.
      List<Item> batch =
          List.of(
              Item.builder("n1", "image")
                  .vector("e", v(0, 1, 1, 0))
                  .meta("colour", "red")
                  .meta("note", "7")
                  .build(),
              Item.builder("e1", "image").vector("e", v(0, 0, 0, 1)).meta("colour", "blue").build(),
              Item.builder("n2", "image")
                  .vector("e", v(1, 0, 1, 0))
                  .meta("note", "not a number")
                  .build(),
              Item.builder("e2", "video")
                  .meta("colour", "blue")
                  .segment(new Segment(5, 6, null, Map.of("e", v(1, 0, 0, 1))))
                  .build(),
              Item.builder("n3", "image")
                  .vector("e", v(0, 1, 0, 1))
                  .meta("note", List.of("12", "twelve"))
                  .build());
      RejectedItemsException e =
          assertThrows(RejectedItemsException.class, () -> b.upsert("refused", batch));
      assertEquals(List.of("n2", "n3"), List.copyOf(e.failedItems().keySet()), e.getMessage());
      assertTrue(e.getMessage().contains("rejected 2 of 5 item(s)"), e.getMessage());
      assertTrue(e.getMessage().contains("item 'n2'"), e.getMessage());
      // Solr's own reason, naming the refused value.
      assertTrue(e.failedItems().get("n2").contains("not a number"), e.failedItems().toString());
      assertTrue(e.failedItems().get("n3").contains("twelve"), e.failedItems().toString());

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

  /**
   * What the embedded backend rejects up front (keywords and modalities over Lucene's term limit,
   * instants the index cannot hold, date types it does not take) this backend rejects up front too,
   * with the very same message: before anything is sent to Solr, and before the batch's new field
   * types (here 'tags' and the text field 'caption' of the good items) are recorded.
   */
  @Test
  void whatTheEmbeddedBackendRejectsUpFrontIsRejectedHereWithItsMessage() throws Exception {
    try (SolrCloudBackend b = solr.connect(SolrCloudOptions.defaults())) {
      b.createCollection(UpFrontRejections.config("upfront"));
      Item existing = UpFrontRejections.existing();
      b.upsert("upfront", List.of(existing));
      b.commit("upfront");
      Map<String, FieldType> fieldsBefore = b.describe("upfront").config().fields();
      for (UpFrontRejections.Case c : UpFrontRejections.cases()) {
        List<Item> batch =
            List.of(
                UpFrontRejections.good("g1"),
                UpFrontRejections.good("g2"),
                c.bad(),
                UpFrontRejections.good("g3"));
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class, () -> b.upsert("upfront", batch), c.toString());
        assertEquals(c.message(), e.getMessage());
        b.commit("upfront");
        assertEquals(1, b.describe("upfront").count(), "a rejected batch left items: " + c);
        assertEquals(1, b.describe("upfront").vectorCount(), c.toString());
        for (String id : List.of("g1", "g2", "g3", "bad")) {
          assertTrue(b.get("upfront", id).isEmpty(), id + " of a rejected batch is there: " + c);
        }
        assertSame(existing, b.get("upfront", "existing").orElseThrow());
      }
      // Nothing was recorded: not in this backend's view, nor in ZooKeeper where others read it.
      assertEquals(fieldsBefore, b.describe("upfront").config().fields());
      try (SolrCloudBackend other = solr.connect(SolrCloudOptions.defaults())) {
        assertEquals(fieldsBefore, other.describe("upfront").config().fields());
      }
      String props =
          new String(
              solr.cluster
                  .getZkClient()
                  .getData("/collections/upfront/collectionprops.json", null, null, true),
              StandardCharsets.UTF_8);
      assertFalse(props.contains(SolrFields.PROP_FIELD), props);
      assertFalse(props.contains(SolrFields.PROP_TEXT), props);

      // The good items of those batches go in fine on their own.
      assertEquals(
          3,
          b.upsert(
              "upfront",
              List.of(
                  UpFrontRejections.good("g1"),
                  UpFrontRejections.good("g2"),
                  UpFrontRejections.good("g3"))));
      b.commit("upfront");
      assertEquals(4, b.describe("upfront").count());
      assertEquals(FieldType.KEYWORD, b.describe("upfront").config().fields().get("tags"));
      assertEquals(
          List.of("g1", "g2", "g3"),
          ids(
              b.knn(
                  "upfront",
                  KnnQuery.of("e", v(0, 1, 0, 0), 10).withFilter(Filter.term("colour", "blue")))));
    }
  }

  /**
   * Values just inside the limits go through Solr as through the embedded backend: a keyword and a
   * modality of exactly 32,766 UTF-8 bytes, the first and last instants of the epoch-millisecond
   * range, and a 40,000-character word in analyzed text (its tokenizer cuts words at 255).
   */
  @Test
  void valuesAtTheLimitsAreWrittenAndFound() throws Exception {
    try (SolrCloudBackend b = solr.connect(SolrCloudOptions.defaults())) {
      b.createCollection(UpFrontRejections.config("limits"));
      int limit = UpFrontRejections.LIMIT;
      String longest = "k".repeat(limit);
      String longestAccented = "\u00e9".repeat(limit / 2);
      Instant first = Instant.ofEpochMilli(Long.MIN_VALUE);
      Instant last = Instant.ofEpochMilli(Long.MAX_VALUE);
      String word = "w".repeat(40_000);
      List<Item> batch =
          List.of(
              Item.builder("long", "m".repeat(limit))
                  .vector("e", v(1, 0, 0, 0))
                  .meta("colour", longest)
                  .build(),
              UpFrontRejections.withMeta("accented", "colour", List.of("red", longestAccented)),
              UpFrontRejections.withMeta("early", "taken", first),
              UpFrontRejections.withMeta("late", "shot", last),
              Item.builder("big", "text")
                  .vector("e", v(1, 1, 1, 0))
                  .text("caption", "a green frog " + word + " sits")
                  .build());
      assertEquals(5, b.upsert("limits", batch));
      b.commit("limits");
      assertEquals(5, b.describe("limits").count());
      Item got = b.get("limits", "long").orElseThrow();
      assertEquals("m".repeat(limit), got.modality());
      assertEquals(longest, got.metadata().get("colour"));
      assertEquals(List.of("long"), matching(b, Filter.term("colour", longest)));
      assertEquals(List.of("accented"), matching(b, Filter.term("colour", longestAccented)));
      // A filter value longer than any stored term matches nothing; it is not an error.
      assertEquals(List.of(), matching(b, Filter.term("colour", longest + "k")));

      assertEquals(
          first.toString(), b.get("limits", "early").orElseThrow().metadata().get("taken"));
      assertEquals(last.toString(), b.get("limits", "late").orElseThrow().metadata().get("shot"));
      assertEquals(List.of("early"), matching(b, Filter.range("taken", null, "1000-01-01")));
      assertEquals(List.of("late"), matching(b, Filter.range("shot", "3000-01-01", null)));

      assertEquals(List.of("big"), ids(b.text("limits", TextQuery.of("frog", 10))));
      assertEquals(List.of("big"), ids(b.text("limits", TextQuery.of("w".repeat(255), 10))));
    }
  }

  private static List<String> matching(SolrCloudBackend b, Filter f) {
    return ids(b.knn("limits", KnnQuery.of("e", v(1, 0, 0, 0), 50).withFilter(f)));
  }

  private static List<String> ids(SearchResult r) {
    return r.hits().stream().map(Hit::id).sorted().toList();
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
