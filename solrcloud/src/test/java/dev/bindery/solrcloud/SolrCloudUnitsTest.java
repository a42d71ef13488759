package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.MetadataValues;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;
import org.apache.solr.common.util.ByteUtils;
import org.junit.jupiter.api.Test;

/**
 * The pure parts of the backend: addresses, names, ids, the generated configset, the up-front
 * checks of metadata and modality.
 */
class SolrCloudUnitsTest {

  @Test
  void zooKeeperAddressesParseOrSayWhatIsWrong() {
    assertEquals(new ZkAddress(List.of("zk:2181"), Optional.empty()), ZkAddress.parse("zk:2181"));
    assertEquals(
        new ZkAddress(List.of("a:2181", "b:2182"), Optional.of("/solr")),
        ZkAddress.parse(" a:2181,b:2182/solr "));
    assertEquals("a:1,b:2/x/y", ZkAddress.parse("a:1,b:2/x/y").toString());
    for (String bad : List.of("", "zk", "zk:", ":2181", "zk:99999", "a:1,,b:2", "zk:2181/solr/")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> ZkAddress.parse(bad), bad);
      assertTrue(
          e.getMessage().contains("host:port") || e.getMessage().contains("chroot"),
          e.getMessage());
    }
  }

  @Test
  void encodedNamesNeverCollide() {
    // Every name over a small alphabet up to length 4: the encoding must be injective.
    char[] alphabet = {'a', '_', '.', '-', 'd', 'h'};
    Set<String> seen = new HashSet<>();
    int count = 0;
    for (int len = 1; len <= 4; len++) {
      int[] idx = new int[len];
      while (true) {
        StringBuilder s = new StringBuilder();
        for (int i : idx) {
          s.append(alphabet[i]);
        }
        String enc = SolrFields.encode(s.toString());
        assertTrue(enc.matches("[A-Za-z0-9_]+"), enc);
        assertTrue(seen.add(enc), "collision on " + s + " -> " + enc);
        count++;
        int p = len - 1;
        while (p >= 0 && ++idx[p] == alphabet.length) {
          idx[p--] = 0;
        }
        if (p < 0) {
          break;
        }
      }
    }
    assertEquals(6 + 36 + 216 + 1296, count);
  }

  @Test
  void documentIdsAreInjectiveAndSafeForRouting() {
    Random r = new Random(4);
    String chars = "ab!/,%\\ 2";
    Set<String> seen = new HashSet<>();
    Set<String> itemIds = new HashSet<>();
    for (int n = 0; n < 5000; n++) {
      StringBuilder s = new StringBuilder();
      for (int i = 0, len = 1 + r.nextInt(5); i < len; i++) {
        s.append(chars.charAt(r.nextInt(chars.length())));
      }
      String id = s.toString();
      if (id.isBlank() || !itemIds.add(id)) {
        continue;
      }
      for (String doc :
          List.of(
              SolrFields.itemDocId(id),
              SolrFields.vectorDocId(id, 0),
              SolrFields.vectorDocId(id, 12))) {
        assertTrue(seen.add(doc), "two documents share id " + doc);
        // Exactly one '!' (a two-part compositeId), no ',' or '\' (the real-time-get id list).
        assertEquals(1, doc.chars().filter(c -> c == '!').count(), doc);
        assertTrue(doc.indexOf(',') < 0 && doc.indexOf('\\') < 0, doc);
        assertTrue(doc.startsWith(SolrFields.routeKey(id) + "!"), doc);
        assertTrue(SolrFields.routeKey(id).indexOf('/') < 0, doc);
      }
    }
  }

  @Test
  void theSchemaHasAVectorFieldPerSpaceWithItsParameters() {
    CollectionConfig c =
        new CollectionConfig(
            "c",
            Map.of(
                "img", SpaceConfig.of("img", 512, Similarity.COSINE).withGraph(32, 200),
                "aud.v1", SpaceConfig.of("aud.v1", 64, Similarity.L2, VectorStorage.INT8),
                "dot", SpaceConfig.of("dot", 8, Similarity.DOT_PRODUCT)),
            Map.of("year", FieldType.LONG));
    String schema = SolrConfigset.schema(c);
    assertTrue(
        schema.contains(
            "<fieldType name=\"knn_img\" class=\"solr.DenseVectorField\" vectorDimension=\"512\""
                + " similarityFunction=\"dot_product\" vectorEncoding=\"FLOAT32\""
                + " knnAlgorithm=\"hnsw\" hnswMaxConnections=\"32\" hnswBeamWidth=\"200\"/>"),
        schema);
    assertTrue(schema.contains("name=\"knn_aud_dv1\""), schema);
    assertTrue(schema.contains("similarityFunction=\"euclidean\""), schema);
    assertTrue(schema.contains("requested storage int8 (stored as float32"), schema);
    assertTrue(schema.contains("<field name=\"v_dot\" type=\"knn_dot\""), schema);
    assertNotEquals(-1, SolrConfigset.solrconfig().indexOf("solr.SchemaCodecFactory"));
    assertNotEquals(-1, SolrConfigset.solrconfig().indexOf("TolerantUpdateProcessorFactory"));
  }

  @Test
  void termBytesCountAsLuceneAndSolrJEncode() {
    assertEquals(IndexWriter.MAX_TERM_LENGTH, MetadataValues.MAX_TERM_BYTES);
    assertEquals(IndexWriter.MAX_TERM_LENGTH, UpFrontRejections.LIMIT);
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    // Boundaries of each UTF-8 length, and surrogates: paired, lone high, lone low.
    char[] pool = {
      'a', '\u007f', '\u0080', '\u07ff', '\u0800', '\u00e9', '\u65e5', '\uffff', '\ud83d', '\ude00'
    };
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0, len = r.nextInt(12); i < len; i++) {
        b.append(r.nextBoolean() ? pool[r.nextInt(pool.length)] : (char) r.nextInt(0x10000));
      }
      String s = b.toString();
      int want = UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length());
      String at = "seed " + seed + ", string " + s.chars().mapToObj(Integer::toHexString).toList();
      assertEquals(want, MetadataValues.termBytes(s), at);
      assertEquals(want, new BytesRef(s).length, at);
      assertEquals(want, ByteUtils.calcUTF16toUTF8Length(s, 0, s.length()), at);
    }
  }

  @Test
  void keywordsOverTheTermLimitAreRejectedBeforeSolrSeesThem() {
    int limit = MetadataValues.MAX_TERM_BYTES;
    String longest = "k".repeat(limit);
    assertEquals(
        List.of("red", longest),
        SolrMetadata.solrValues("i", "tags", FieldType.KEYWORD, List.of("red", longest)));
    assertEquals(List.of("true"), SolrMetadata.solrValues("i", "f", FieldType.KEYWORD, true));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrMetadata.solrValues("i", "tags", FieldType.KEYWORD, longest + "k"));
    assertEquals(
        "item 'i': metadata field 'tags' value is 32,767 UTF-8 bytes; keyword values are limited"
            + " to 32,766 (Lucene's term limit); the value starts with '"
            + "k".repeat(64)
            + "... (32767 characters)'",
        e.getMessage());
    // The quote never ends in half a surrogate pair: 'a' then pairs, so char 63 starts a pair.
    String emoji = "a" + "\uD83D\uDE00".repeat(20_000);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrMetadata.solrValues("i", "tags", FieldType.KEYWORD, emoji));
    assertEquals(
        "item 'i': metadata field 'tags' value is 80,001 UTF-8 bytes; keyword values are limited"
            + " to 32,766 (Lucene's term limit); the value starts with 'a"
            + "\uD83D\uDE00".repeat(31)
            + "... (40001 characters)'",
        e.getMessage());

    Item item = Item.builder("i", "m".repeat(limit)).vector("e", new float[] {1}).build();
    MetadataValues.checkModality(item.id(), item.modality());
    Item longer =
        Item.builder("i", "\u00e9".repeat(limit / 2 + 1)).vector("e", new float[] {1}).build();
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MetadataValues.checkModality(longer.id(), longer.modality()));
    assertEquals(
        "item 'i': modality is 32,768 UTF-8 bytes; it is indexed as one term, limited to 32,766",
        e.getMessage());
  }

  @Test
  void datesAreCheckedAgainstTheEpochMillisecondRange() {
    Instant first = Instant.ofEpochMilli(Long.MIN_VALUE);
    Instant last = Instant.ofEpochMilli(Long.MAX_VALUE);
    assertEquals(
        List.of(new Date(Long.MIN_VALUE), new Date(Long.MAX_VALUE)),
        SolrMetadata.solrValues("i", "d", FieldType.DATE, List.of(first, last)));
    // Solr's dates hold milliseconds: the sub-millisecond rest of the last one still fits.
    assertEquals(
        List.of(new Date(Long.MAX_VALUE)),
        SolrMetadata.solrValues("i", "d", FieldType.DATE, last.plusNanos(999_999)));
    String range =
        " is out of range: dates are indexed as epoch milliseconds, from"
            + " -292275055-05-16T16:47:04.192Z to +292278994-08-17T07:12:55.807Z";
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrMetadata.solrValues("i", "d", FieldType.DATE, last.plusMillis(1)));
    assertEquals(
        "item 'i': metadata field 'd' (date) '+292278994-08-17T07:12:55.808Z'" + range,
        e.getMessage());
    assertTrue(e.getCause() instanceof ArithmeticException, String.valueOf(e.getCause()));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SolrMetadata.solrValues(
                    "i", "d", FieldType.DATE, "-292275055-05-16T16:47:04.191Z"));
    assertEquals(
        "item 'i': metadata field 'd' (date) '-292275055-05-16T16:47:04.191Z'" + range,
        e.getMessage());
    // A filter value says it is one.
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrMetadata.queryValue("d", FieldType.DATE, Instant.MAX));
    assertEquals(
        "filter: metadata field 'd' (date) '+1000000000-12-31T23:59:59.999999999Z'" + range,
        e.getMessage());

    String hint =
        "; dates must be java.time.Instant or ISO-8601 text (2024-05-01, 2024-05-01T10:00:00Z)";
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MetadataValues.infer("i", "day", List.of(LocalDate.of(2024, 5, 1))));
    assertEquals(
        "item 'i': metadata field 'day' has a value of unsupported type LocalDate" + hint,
        e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> MetadataValues.infer("i", "blob", Map.of("a", 1)));
    assertEquals(
        "item 'i': metadata field 'blob' has a value of unsupported type object", e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrMetadata.solrValues("i", "d", FieldType.DATE, "yesterday"));
    assertEquals(
        "item 'i': metadata field 'd' (date) needs ISO-8601 like 2024-05-01 or"
            + " 2024-05-01T10:00:00Z, got 'yesterday'",
        e.getMessage());
  }

  @Test
  void optionsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> SolrCloudOptions.defaults().withShards(0));
    assertThrows(IllegalArgumentException.class, () -> SolrCloudOptions.defaults().withReplicas(0));
    assertThrows(
        IllegalArgumentException.class, () -> SolrCloudOptions.defaults().withCommitWithinMs(-2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> SolrCloudBackend.connect("not-a-zk-address", SolrCloudOptions.defaults()));
    assertTrue(e.getMessage().contains("not-a-zk-address"), e.getMessage());
  }
}
