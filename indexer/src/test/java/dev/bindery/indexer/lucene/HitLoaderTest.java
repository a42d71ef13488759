package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.Segment;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.VectorChecks;
import dev.bindery.indexer.lucene.HitLoader.Candidate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HitLoader} against {@link NaiveHits}, the plain stored-fields walk: the same hits (ids,
 * scores, modality, source, metadata, segments) in the same order, on items with item-level
 * vectors, segments, both, ties, large and empty metadata, over several leaves with deletions; and
 * on an index written before the {@link DocFields#HIT} doc values, alone and merged with new items.
 */
class HitLoaderTest {
  static final int DIM = 8;
  static final String SPACE = "e";
  static final BitSetProducer PARENTS =
      new QueryBitSetProducer(new TermQuery(new Term(ItemFields.KIND, ItemFields.KIND_ITEM)));
  @TempDir Path data;

  static CollectionConfig config(String name) {
    return new CollectionConfig(
        name,
        Map.of(SPACE, SpaceConfig.of(SPACE, DIM, Similarity.COSINE)),
        Map.of("n", FieldType.LONG, "price", FieldType.DOUBLE, "tag", FieldType.KEYWORD));
  }

  /** Vectors from a small grid, so some items share a vector and their scores tie. */
  static float[] vector(Random r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = r.nextInt(3) - 1;
    }
    v[r.nextInt(DIM)] = 2; // never the zero vector
    return v;
  }

  static Item item(Random r, String id) {
    String[] modalities = {"image", "video", "text", "audio · ünïcode 漢字"};
    Item.Builder b = Item.builder(id, modalities[r.nextInt(modalities.length)]);
    if (r.nextBoolean()) {
      b.source(r.nextBoolean() ? "/media/" + id + ".mp4" : "s3://bucket/ä/" + id + " 🎞");
    }
    int shape = r.nextInt(3); // 0: item-level vector only, 1: segments only, 2: both
    if (shape != 1) {
      b.vector(SPACE, vector(r));
    }
    if (shape != 0) {
      int segments = 1 + r.nextInt(4);
      double t = r.nextInt(100) / 4.0;
      for (int s = 0; s < segments; s++) {
        double length = 0.5 + r.nextInt(40) / 8.0;
        String text = r.nextBoolean() ? "shot " + s + " of " + id : null;
        b.segment(new Segment(t, t + length, text, Map.of(SPACE, vector(r))));
        t += length;
      }
    }
    switch (r.nextInt(4)) {
      case 0 -> {} // no metadata: stored as "{}"
      case 1 -> b.meta("n", (long) r.nextInt(1000)).meta("tag", "t" + r.nextInt(5));
      case 2 ->
          b.meta("price", r.nextInt(10000) / 100.0)
              .meta("tag", List.of("a", "b" + r.nextInt(3)))
              .meta("n", (long) r.nextInt(50));
      default ->
          // Larger than HitDocValues.MAX_ITEM_BYTES: this item has no doc value and is read from
          // its stored fields even in a new index.
          b.meta("tag", "big-" + "x".repeat(HitDocValues.MAX_ITEM_BYTES + r.nextInt(100)));
    }
    if (r.nextBoolean()) {
      b.text("caption", "a caption that the hits must not show " + id);
    }
    return b.build();
  }

  /** The loader and the naive walk agree on random candidate sets with many ties. */
  @Test
  void loaderMatchesNaiveStoredFieldsWalk() throws Exception {
    long seed = new Random().nextLong();
    String why = "seed=" + seed;
    Random r = new Random(seed);
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("c"));
      // Several flushed leaves, with replaced and deleted items in between.
      for (int batch = 0; batch < 4; batch++) {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
          items.add(item(r, "item-" + (batch * 45 + i)));
        }
        b.upsert("c", items);
        b.delete("c", List.of("item-" + r.nextInt(batch * 45 + 60)));
        b.commit("c");
      }
      checkAgainstNaive(b, "c", r, why);
    }
  }

  /**
   * An index written the way the backend wrote before {@link DocFields#HIT} existed still answers
   * with the same hits as a new index of the same items, and keeps doing so after new items are
   * added and the old and new documents are merged into one leaf.
   */
  @Test
  void indexWithoutHitDocValuesIsReadFromStoredFields() throws Exception {
    long seed = new Random().nextLong();
    String why = "seed=" + seed;
    Random r = new Random(seed);
    List<Item> first = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      first.add(item(r, "item-" + i));
    }
    Path collections = data.resolve("collections");
    writeOldFormat(collections.resolve("old"), config("old"), first);
    try (LuceneBackend b = new LuceneBackend(data)) {
      b.createCollection(config("new"));
      b.upsert("new", first);
      b.commit("new");
      assertFalse(hasHitValues(collections.resolve("old")), "the old index has no hit values");
      assertTrue(hasHitValues(collections.resolve("new")), "a new index has hit values");
      assertSameHits(b, r, why + ", old index");
      checkAgainstNaive(b, "old", r, why + ", old index");

      List<Item> more = new ArrayList<>();
      for (int i = 0; i < 80; i++) {
        more.add(item(r, "item-" + (100 + i))); // replaces 50 old items, adds 30
      }
      for (String c : List.of("old", "new")) {
        b.upsert(c, more);
        b.forceMerge(c, 1);
      }
      assertSameHits(b, r, why + ", old and new merged");
      checkAgainstNaive(b, "old", r, why + ", old and new merged");
    }
  }

  /** Random candidate sets over the committed index of {@code coll}: loader vs naive walk. */
  private static void checkAgainstNaive(LuceneBackend b, String coll, Random r, String why)
      throws Exception {
    Path index = b.collectionsDir().resolve(coll).resolve(LuceneCollection.INDEX_DIR);
    try (FSDirectory dir = FSDirectory.open(index);
        DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher s = new IndexSearcher(reader);
      List<Integer> vectorDocs = docs(s, ItemFields.KIND_VECTOR);
      List<Integer> itemDocs = docs(s, ItemFields.KIND_ITEM);
      assertTrue(reader.leaves().size() >= 1 && vectorDocs.size() > 100, why);
      for (int trial = 0; trial < 300; trial++) {
        int n = 1 + r.nextInt(40);
        List<Candidate> candidates = new ArrayList<>();
        List<Integer> pool = trial % 10 == 9 ? itemDocs : vectorDocs; // text hits are items
        List<Integer> shuffled = new ArrayList<>(pool);
        Collections.shuffle(shuffled, r);
        for (int doc : shuffled.subList(0, Math.min(n, shuffled.size()))) {
          // Few distinct scores: ties at the k-th score are the rule, not the exception.
          candidates.add(new Candidate(doc, 0.5f + r.nextInt(6) / 16f));
        }
        int k = 1 + r.nextInt(15);
        Similarity sim = r.nextBoolean() ? Similarity.COSINE : Similarity.L2;
        List<Hit> expected = NaiveHits.rank(s, PARENTS, candidates, k, sim);
        List<Hit> actual = new HitLoader(s, PARENTS).rank(candidates, k, sim);
        assertHits(expected, actual, why + ", trial " + trial + ", k=" + k);
      }
    }
  }

  /** assertEquals for hit lists, with long metadata strings shortened in the message. */
  private static void assertHits(List<Hit> expected, List<Hit> actual, String why) {
    if (!expected.equals(actual)) {
      fail(why + "\nexpected " + brief(expected) + "\nbut was  " + brief(actual));
    }
  }

  private static String brief(List<Hit> hits) {
    return hits.stream()
        .map(
            h ->
                String.join(
                    " ",
                    h.id(),
                    Float.toString(h.score()),
                    h.modality(),
                    String.valueOf(h.source()),
                    h.metadata().entrySet().stream()
                        .map(e -> e.getKey() + "=" + brief(String.valueOf(e.getValue())))
                        .toList()
                        .toString(),
                    String.valueOf(h.segment())))
        .collect(Collectors.joining("\n  ", "[\n  ", "]"));
  }

  private static String brief(String s) {
    return s.length() <= 40
        ? s
        : s.substring(0, 20) + "...(" + s.length() + " chars, hash " + s.hashCode() + ")";
  }

  /** The live documents of one kind, as global doc ids. */
  private static List<Integer> docs(IndexSearcher s, String kind) throws Exception {
    List<Integer> out = new ArrayList<>();
    for (ScoreDoc sd :
        s.search(
                new TermQuery(new Term(ItemFields.KIND, kind)),
                Math.max(1, s.getIndexReader().maxDoc()))
            .scoreDocs) {
      out.add(sd.doc);
    }
    return out;
  }

  private static boolean hasHitValues(Path collectionDir) throws Exception {
    try (FSDirectory dir = FSDirectory.open(collectionDir.resolve(LuceneCollection.INDEX_DIR));
        DirectoryReader reader = DirectoryReader.open(dir)) {
      for (LeafReaderContext ctx : reader.leaves()) {
        if (ctx.reader().getBinaryDocValues(DocFields.HIT) != null) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Collections "old" and "new" hold the same items: every search gives the same hits in both, and
   * every hit shows what {@code get} reads back for its item.
   */
  private static void assertSameHits(LuceneBackend b, Random r, String why) {
    for (int q = 0; q < 40; q++) {
      KnnQuery query =
          new KnnQuery(
              SPACE,
              vector(r),
              1 + r.nextInt(20),
              q % 4 == 3 ? Filter.term("tag", "t" + r.nextInt(5)) : null,
              0,
              q % 2 == 0 ? SearchMode.EXACT : SearchMode.AUTO,
              q % 3 == 0);
      SearchResult old = b.knn("old", query);
      SearchResult now = b.knn("new", query);
      assertHits(now.hits(), old.hits(), why + ", " + query);
      for (Hit h : old.hits()) {
        Item item = b.get("old", h.id()).orElseThrow();
        assertEquals(item.modality(), h.modality(), why);
        assertEquals(item.source(), h.source(), why);
        assertEquals(item.metadata(), h.metadata(), why);
        if (h.segment() == null) {
          assertFalse(item.vectors().isEmpty(), why + ": " + h + " matched no item-level vector");
        } else {
          Segment seg = item.segments().get(h.segment().index());
          assertEquals(seg.start(), h.segment().start(), why);
          assertEquals(seg.end(), h.segment().end(), why);
        }
      }
    }
    SearchResult oldText = b.text("old", new TextQuery("shot caption", List.of(), 15, null));
    SearchResult newText = b.text("new", new TextQuery("shot caption", List.of(), 15, null));
    assertHits(newText.hits(), oldText.hits(), why + ", text");
    assertFalse(oldText.hits().isEmpty(), why);
    for (Hit h : oldText.hits()) {
      assertNull(h.segment(), why);
      assertNotNull(h.modality(), why);
    }
  }

  /**
   * Writes a collection as the embedded backend did before {@link DocFields#HIT}: the same blocks,
   * fields and commit data, without the doc values. Kept as it was then, on purpose.
   */
  private static void writeOldFormat(Path dir, CollectionConfig config, List<Item> items)
      throws Exception {
    Files.createDirectories(dir);
    CollectionFile.write(dir, config);
    IndexWriterConfig iwc =
        new IndexWriterConfig(new org.apache.lucene.analysis.en.EnglishAnalyzer())
            .setCodec(LuceneCodecs.codecFor(config));
    try (FSDirectory d = FSDirectory.open(dir.resolve(LuceneCollection.INDEX_DIR));
        IndexWriter w = new IndexWriter(d, iwc)) {
      int ord = 0;
      for (Item item : items) {
        List<Document> block = new ArrayList<>();
        if (!item.vectors().isEmpty()) {
          block.add(oldVectorDoc(item.id(), -1, null, item.vectors()));
        }
        StringBuilder segmentText = new StringBuilder();
        for (int i = 0; i < item.segments().size(); i++) {
          Segment seg = item.segments().get(i);
          block.add(oldVectorDoc(item.id(), i, seg, seg.vectors()));
          if (seg.text() != null) {
            segmentText.append(seg.text()).append('\n');
          }
        }
        Document parent = new Document();
        parent.add(new StringField(DocFields.ID, item.id(), Field.Store.YES));
        parent.add(new SortedDocValuesField(DocFields.ID_VALUES, new BytesRef(item.id())));
        parent.add(new StringField(ItemFields.KIND, ItemFields.KIND_ITEM, Field.Store.NO));
        parent.add(new StringField(ItemFields.MODALITY, item.modality(), Field.Store.YES));
        if (item.source() != null) {
          parent.add(new StoredField(ItemFields.SOURCE, item.source()));
        }
        parent.add(
            new StoredField(
                ItemFields.META_JSON, LuceneCollection.JSON.writeValueAsBytes(item.metadata())));
        parent.add(
            new StoredField(
                ItemFields.TEXT_JSON, LuceneCollection.JSON.writeValueAsBytes(item.text())));
        item.text()
            .forEach((f, v) -> parent.add(new TextField(DocFields.text(f), v, Field.Store.NO)));
        if (!segmentText.isEmpty()) {
          parent.add(
              new TextField(DocFields.SEGMENTS_TEXT, segmentText.toString(), Field.Store.NO));
        }
        item.metadata()
            .forEach(
                (f, v) -> MetadataFields.addTo(parent, item.id(), f, config.fields().get(f), v));
        parent.add(new NumericDocValuesField(DocFields.ORD, ord++));
        block.add(parent);
        w.updateDocuments(new Term(DocFields.ID, item.id()), block);
      }
      w.setLiveCommitData(Map.of(DocFields.NEXT_ORD, Integer.toString(ord)).entrySet());
      w.commit();
    }
  }

  private static Document oldVectorDoc(
      String id, int segment, Segment seg, Map<String, float[]> vectors) {
    Document d = new Document();
    d.add(new StringField(DocFields.ID, id, Field.Store.NO));
    d.add(new StringField(ItemFields.KIND, ItemFields.KIND_VECTOR, Field.Store.NO));
    d.add(new StoredField(ItemFields.SEGMENT, segment));
    if (seg != null) {
      d.add(new StoredField(ItemFields.SEG_START, seg.start()));
      d.add(new StoredField(ItemFields.SEG_END, seg.end()));
      if (seg.text() != null) {
        d.add(new StoredField(ItemFields.SEG_TEXT, seg.text()));
      }
    }
    SpaceConfig space = SpaceConfig.of(SPACE, DIM, Similarity.COSINE);
    vectors.forEach(
        (name, v) ->
            d.add(
                new KnnFloatVectorField(
                    DocFields.vector(name),
                    VectorChecks.prepare(space, v, "test vector"),
                    LuceneCodecs.similarity(Similarity.COSINE))));
    return d;
  }
}
