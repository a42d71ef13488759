package dev.bindery.indexer.lucene;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorChecks;
import dev.bindery.indexer.VectorStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.search.join.QueryBitSetProducer;
import org.apache.lucene.store.FSDirectory;

/**
 * Where the time of one embedded kNN query goes: times {@link LuceneBackend#knn} (k=10) against
 * Lucene's own graph search and {@link KnnFloatVectorQuery} on a second reader over the same index
 * files, and the query plus hits made by {@link HitLoader} or by {@link NaiveHits} (the
 * stored-fields walk the backend used before), in one process, taking turns every 25 queries, so
 * the ratios hold on a shared machine. Reports median per-query CPU and wall time over the rounds.
 * Not a test.
 *
 * <p>Run after {@code mvn -o -pl indexer test-compile} and {@code mvn -o -pl indexer
 * dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt}: {@code java
 * --add-modules jdk.incubator.vector -Xmx4g -cp
 * indexer/target/classes:indexer/target/test-classes:$(cat /tmp/cp.txt)
 * dev.bindery.indexer.lucene.KnnOverheadBenchMain ARGS}; {@code -Dbench.only=knn} times one variant
 * alone (for a profiler).
 *
 * <p>Arguments: DATASET_DIR (base.npy, queries.npy) DATA_DIR BASE_LIMIT QUERIES EFS ROUNDS, e.g.
 * {@code ~/.cache/bindery/ann-data/.../minilm-l6-v2-q /tmp/knn-bench 50000 1000 20,40,80 7}. The
 * collection in DATA_DIR is built (M=16, beam width 100, float32, cosine, merged to one segment) on
 * the first run and reused after.
 */
public final class KnnOverheadBenchMain {
  private static final String COLLECTION = "overhead";
  private static final String SPACE = "e";
  private static final int K = 10;

  private KnnOverheadBenchMain() {}

  /** One way of answering a query; returns something derived from the result so it stays live. */
  private interface Variant {
    long run(float[] raw, float[] normalized, int ef) throws IOException;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 6) {
      System.err.println(
          "usage: KnnOverheadBenchMain DATASET_DIR DATA_DIR BASE_LIMIT QUERIES EFS ROUNDS");
      System.exit(2);
    }
    Path dataset = Path.of(args[0]);
    Path dataDir = Path.of(args[1]);
    int limit = Integer.parseInt(args[2]);
    int queryCount = Integer.parseInt(args[3]);
    int[] efs = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
    int rounds = Integer.parseInt(args[5]);

    float[][] base = readNpy(dataset.resolve("base.npy"), limit);
    float[][] queries = readNpy(dataset.resolve("queries.npy"), queryCount);
    SpaceConfig space =
        new SpaceConfig(
            SPACE, base[0].length, Similarity.COSINE, VectorStorage.FLOAT32, 16, 100, 1f);
    float[][] normalized = new float[queries.length][];
    for (int i = 0; i < queries.length; i++) {
      normalized[i] = VectorChecks.prepare(space, queries[i], "query");
    }

    try (LuceneBackend backend = new LuceneBackend(dataDir)) {
      if (!backend.listCollections().contains(COLLECTION)) {
        build(backend, space, base);
      }
      long count = backend.describe(COLLECTION).count();
      if (count != base.length) {
        throw new IllegalStateException(
            dataDir + " holds " + count + " items, expected " + base.length + "; delete it");
      }
      Path indexDir =
          backend.collectionsDir().resolve(COLLECTION).resolve(LuceneCollection.INDEX_DIR);
      try (FSDirectory dir = FSDirectory.open(indexDir);
          DirectoryReader reader = DirectoryReader.open(dir)) {
        if (reader.leaves().size() != 1) {
          throw new IllegalStateException("expected one segment, found " + reader.leaves().size());
        }
        IndexSearcher searcher = new IndexSearcher(reader);
        LeafReader leaf = reader.leaves().get(0).reader();
        String field = DocFields.vector(SPACE);
        Map<String, Variant> variants = new LinkedHashMap<>();
        // HNSW alone: the codec's graph search for ef candidates, nothing around it.
        variants.put(
            "graph",
            (raw, q, ef) -> {
              TopDocs td =
                  leaf.searchNearestVectors(
                      field,
                      q,
                      ef,
                      AcceptDocs.fromLiveDocs(leaf.getLiveDocs(), leaf.maxDoc()),
                      Integer.MAX_VALUE);
              return td.scoreDocs.length == 0 ? 0 : td.scoreDocs[0].doc;
            });
        // Lucene's query: rewrite per leaf, merge, DocAndScoreQuery, top docs.
        variants.put(
            "query",
            (raw, q, ef) -> {
              TopDocs td = searcher.search(new KnnFloatVectorQuery(field, q, ef), ef);
              return td.scoreDocs.length == 0 ? 0 : td.scoreDocs[0].doc;
            });
        // The query plus the hits, made as the backend did before HitLoader (NaiveHits) and now.
        BitSetProducer parents =
            new QueryBitSetProducer(new TermQuery(new Term(ItemFields.KIND, ItemFields.KIND_ITEM)));
        variants.put(
            "query+naive",
            (raw, q, ef) -> {
              TopDocs td = searcher.search(new KnnFloatVectorQuery(field, q, ef), ef);
              return NaiveHits.rank(searcher, parents, candidates(td), K, Similarity.COSINE)
                  .getFirst()
                  .id()
                  .hashCode();
            });
        variants.put(
            "query+loader",
            (raw, q, ef) -> {
              TopDocs td = searcher.search(new KnnFloatVectorQuery(field, q, ef), ef);
              return new HitLoader(searcher, parents)
                  .rank(candidates(td), K, Similarity.COSINE)
                  .getFirst()
                  .id()
                  .hashCode();
            });
        // The backend's public path.
        variants.put(
            "knn",
            (raw, q, ef) ->
                backend
                    .knn(COLLECTION, new KnnQuery(SPACE, raw, K, null, ef, SearchMode.AUTO, false))
                    .hits()
                    .getFirst()
                    .id()
                    .hashCode());
        // -Dbench.only=knn times one variant alone, for a profiler.
        String only = System.getProperty("bench.only");
        if (only != null) {
          variants.keySet().retainAll(List.of(only.split(",")));
        }
        measure(variants, queries, normalized, efs, rounds);
      }
    }
  }

  private static List<HitLoader.Candidate> candidates(TopDocs td) {
    List<HitLoader.Candidate> out = new ArrayList<>(td.scoreDocs.length);
    for (ScoreDoc sd : td.scoreDocs) {
      out.add(new HitLoader.Candidate(sd.doc, sd.score));
    }
    return out;
  }

  private static void build(LuceneBackend backend, SpaceConfig space, float[][] base) {
    System.out.printf(Locale.ROOT, "building %,d items...%n", base.length);
    long t0 = System.nanoTime();
    backend.createCollection(CollectionConfig.of(COLLECTION, space));
    for (int from = 0; from < base.length; from += 1000) {
      List<Item> items = new ArrayList<>();
      for (int i = from; i < Math.min(base.length, from + 1000); i++) {
        items.add(Item.builder(Integer.toString(i), "vector").vector(SPACE, base[i]).build());
      }
      backend.upsert(COLLECTION, items);
    }
    backend.commit(COLLECTION);
    backend.forceMerge(COLLECTION, 1);
    System.out.printf(Locale.ROOT, "built in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  private static void measure(
      Map<String, Variant> variants, float[][] raw, float[][] normalized, int[] efs, int rounds)
      throws IOException {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<String> names = new ArrayList<>(variants.keySet());
    List<Variant> vs = new ArrayList<>(variants.values());
    long sink = 0;
    // Warm-up: every variant at every ef, twice, so each is compiled before it is timed.
    for (int w = 0; w < 2; w++) {
      for (int ef : efs) {
        for (Variant v : vs) {
          for (int i = 0; i < raw.length; i++) {
            sink += v.run(raw[i], normalized[i], ef);
          }
        }
      }
    }
    int batch = 25;
    for (int ef : efs) {
      double[][] wall = new double[names.size()][rounds];
      double[][] cpu = new double[names.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        long[] w = new long[names.size()];
        long[] c = new long[names.size()];
        // Variants take turns every few queries (in a rotating order), so a burst of load from
        // another process lands on all of them alike.
        for (int from = 0, turn = r; from < raw.length; from += batch, turn++) {
          int to = Math.min(raw.length, from + batch);
          for (int j = 0; j < vs.size(); j++) {
            int vi = (j + turn) % vs.size();
            Variant v = vs.get(vi);
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (int i = from; i < to; i++) {
              sink += v.run(raw[i], normalized[i], ef);
            }
            w[vi] += System.nanoTime() - t0;
            c[vi] += mx.getCurrentThreadCpuTime() - c0;
          }
        }
        for (int vi = 0; vi < vs.size(); vi++) {
          wall[vi][r] = w[vi] / 1e3 / raw.length;
          cpu[vi][r] = c[vi] / 1e3 / raw.length;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "ef=%d (%d queries, %d rounds; medians over rounds, us/query; ratio = median of"
              + " per-round ratios)%n",
          ef,
          raw.length,
          rounds);
      int base = Math.min(1, names.size() - 1);
      for (int vi = 0; vi < names.size(); vi++) {
        double[] toGraph = new double[rounds];
        double[] toQuery = new double[rounds];
        double[] overQuery = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          toGraph[r] = cpu[vi][r] / cpu[0][r];
          toQuery[r] = cpu[vi][r] / cpu[base][r];
          overQuery[r] = cpu[vi][r] - cpu[base][r];
        }
        System.out.printf(
            Locale.ROOT,
            "  %-13s wall %7.1f  cpu %7.1f  cpu/graph %5.2f  cpu/query %5.2f  cpu-query %+6.1f%n",
            names.get(vi),
            median(wall[vi]),
            median(cpu[vi]),
            median(toGraph),
            median(toQuery),
            median(overQuery));
      }
    }
    System.out.println("(sink " + sink + ")");
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** The first {@code limit} rows of a 2-d little-endian float32 {@code .npy} file. */
  static float[][] readNpy(Path file, int limit) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(head, 0);
      head.flip();
      int major = head.get(6);
      int headerLen = major == 1 ? Short.toUnsignedInt(head.getShort(8)) : head.getInt(8);
      int dataStart = (major == 1 ? 10 : 12) + headerLen;
      ByteBuffer hb = ByteBuffer.allocate(headerLen);
      ch.read(hb, major == 1 ? 10 : 12);
      String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
      if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
        throw new IllegalArgumentException(file + ": expected C-order <f4, header " + header);
      }
      Matcher m = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
      if (!m.find()) {
        throw new IllegalArgumentException(file + ": no 2-d shape in header " + header);
      }
      int rows = Math.min(limit, Integer.parseInt(m.group(1)));
      int dim = Integer.parseInt(m.group(2));
      ByteBuffer data = ByteBuffer.allocate(rows * dim * 4).order(ByteOrder.LITTLE_ENDIAN);
      long pos = dataStart;
      while (data.hasRemaining()) {
        int n = ch.read(data, pos);
        if (n < 0) {
          throw new IOException(file + " ends early");
        }
        pos += n;
      }
      data.flip();
      float[][] out = new float[rows][dim];
      for (float[] row : out) {
        data.asFloatBuffer().get(row);
        data.position(data.position() + dim * 4);
      }
      return out;
    }
  }
}
