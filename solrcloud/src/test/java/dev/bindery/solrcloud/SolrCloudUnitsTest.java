package dev.bindery.solrcloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorStorage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of the backend: addresses, names, ids, the generated configset. */
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
