package dev.bindery.eval.bench;

import dev.bindery.indexer.Similarity;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.graph.similarity.DefaultSearchScoreProvider;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * JVector (io.github.jbellis:jvector, Maven Central), the strongest pure-Java ANN library, in this
 * JVM, as a {@link RoundEngine}: an on-heap hierarchical graph over full-precision vectors,
 * searched exactly (no compression, no reranking).
 *
 * <p>Settings mapped from HNSW's: JVector's maximum degree is {@code 2*M} (what HNSW allows on its
 * base layer, where nearly every search step happens), its build beam width is efConstruction, its
 * search's rerankK is ef (the candidate list size, JVector's counterpart of HNSW's ef), alpha and
 * neighbour overflow are 1.2 (JVector's defaults), with the HNSW-like hierarchy on. The build runs
 * on a ForkJoinPool of {@code buildThreads} threads.
 */
final class JVectorRoundEngine implements RoundEngine {

  static final float ALPHA = 1.2f;
  static final float NEIGHBOR_OVERFLOW = 1.2f;

  private final VectorSimilarityFunction function;
  private final RandomAccessVectorValues baseValues;
  private final List<VectorFloat<?>> queries;
  private final int degree;
  private final int beamWidth;
  private final int k;
  private final int buildThreads;
  private OnHeapGraphIndex graph;

  JVectorRoundEngine(
      Similarity similarity,
      float[][] base,
      float[][] queries,
      int m,
      int beamWidth,
      int k,
      int buildThreads) {
    VectorTypeSupport vts = VectorizationProvider.getInstance().getVectorTypeSupport();
    this.function =
        switch (similarity) {
          case COSINE -> VectorSimilarityFunction.COSINE;
          case DOT_PRODUCT -> VectorSimilarityFunction.DOT_PRODUCT;
          case L2 -> VectorSimilarityFunction.EUCLIDEAN;
        };
    List<VectorFloat<?>> vs = new ArrayList<>(base.length);
    for (float[] v : base) {
      vs.add(vts.createFloatVector(v.clone()));
    }
    this.baseValues = new ListRandomAccessVectorValues(vs, base[0].length);
    this.queries = new ArrayList<>(queries.length);
    for (float[] q : queries) {
      this.queries.add(vts.createFloatVector(q.clone()));
    }
    this.degree = 2 * m;
    this.beamWidth = beamWidth;
    this.k = k;
    this.buildThreads = buildThreads;
  }

  @Override
  public String name() {
    return "jvector";
  }

  @Override
  public int buildThreads() {
    return buildThreads;
  }

  @Override
  public String describe() {
    return "JVector "
        + jvectorVersion()
        + " ("
        + VectorizationProvider.getInstance().getClass().getSimpleName()
        + "), degree="
        + degree
        + " (2*M), beam="
        + beamWidth
        + ", alpha="
        + ALPHA
        + ", overflow="
        + NEIGHBOR_OVERFLOW
        + ", hierarchy on, "
        + buildThreads
        + " build thread(s), rerankK=ef";
  }

  static String jvectorVersion() {
    String v = GraphIndexBuilder.class.getPackage().getImplementationVersion();
    return v != null ? v : "4.0.0-rc.2";
  }

  @Override
  public Build build() throws Exception {
    graph = null;
    long c0 = ProcessCpuClock.nanos();
    long t0 = System.nanoTime();
    try (ForkJoinPool simd = new ForkJoinPool(buildThreads);
        ForkJoinPool parallel = new ForkJoinPool(buildThreads)) {
      BuildScoreProvider bsp = BuildScoreProvider.randomAccessScoreProvider(baseValues, function);
      GraphIndexBuilder builder =
          new GraphIndexBuilder(
              bsp,
              baseValues.dimension(),
              degree,
              beamWidth,
              NEIGHBOR_OVERFLOW,
              ALPHA,
              true,
              true,
              simd,
              parallel);
      graph = builder.build(baseValues);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (ProcessCpuClock.nanos() - c0) / 1e9;
    return new Build(seconds, cpu, graph.ramBytesUsed());
  }

  @Override
  public Round query(int ef) throws java.io.IOException {
    int[][] ids = new int[queries.size()][];
    // One searcher reused across queries, as JVector's own benchmarks do (the static
    // GraphSearcher.search allocates one per call).
    GraphSearcher searcher = new GraphSearcher(graph);
    long c0 = RoundEngine.threadCpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < ids.length; i++) {
      SearchResult r =
          searcher.search(
              DefaultSearchScoreProvider.exact(queries.get(i), function, baseValues),
              k,
              ef,
              0f,
              0f,
              Bits.ALL);
      SearchResult.NodeScore[] nodes = r.getNodes();
      int[] row = new int[nodes.length];
      for (int j = 0; j < row.length; j++) {
        row[j] = nodes[j].node; // ordinal i is base row i
      }
      ids[i] = row;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (RoundEngine.threadCpuNanos() - c0) / 1e9;
    searcher.close();
    return new Round(ids, seconds, cpu);
  }

  @Override
  public void close() {
    graph = null;
  }
}
