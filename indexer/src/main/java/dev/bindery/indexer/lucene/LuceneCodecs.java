package dev.bindery.indexer.lucene;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.Scores;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;

/**
 * The on-disk schema of a collection's vectors: one HNSW vectors format per space (float32, or
 * Lucene's optimized scalar quantization at the space's bit width) and the similarity function each
 * space's vectors are indexed with.
 */
final class LuceneCodecs {
  private LuceneCodecs() {}

  static Codec codecFor(CollectionConfig config) {
    return codecFor(config, HnswMergeWorkers.none());
  }

  static Codec codecFor(CollectionConfig config, HnswMergeWorkers mergeWorkers) {
    Map<String, KnnVectorsFormat> formats = new HashMap<>();
    config
        .spaces()
        .values()
        .forEach(s -> formats.put(DocFields.vector(s.name()), format(s, mergeWorkers)));
    return new Lucene104Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        KnnVectorsFormat f = formats.get(field);
        return f != null ? f : super.getKnnVectorsFormatForField(field);
      }
    };
  }

  static KnnVectorsFormat format(SpaceConfig s) {
    return format(s, HnswMergeWorkers.none());
  }

  /**
   * The space's format. For a bulk build ({@link HnswMergeWorkers#graphsAtMerge}: more than one
   * merge worker, or {@link HnswMergeWorkers#bulk}), flushed segments skip their graph and merges
   * build it ({@link FlushWithoutGraphFormat}); otherwise each flush builds its segment's graph,
   * Lucene's default.
   */
  static KnnVectorsFormat format(SpaceConfig s, HnswMergeWorkers w) {
    if (!w.graphsAtMerge()) {
      return format(s, w, DEFAULT_TINY_SEGMENTS);
    }
    return new FlushWithoutGraphFormat(t -> format(s, w, t), DEFAULT_TINY_SEGMENTS);
  }

  /** Lucene's own threshold below which a segment gets no graph (searched exactly). */
  private static final int DEFAULT_TINY_SEGMENTS = Lucene99HnswVectorsFormat.HNSW_GRAPH_THRESHOLD;

  private static KnnVectorsFormat format(SpaceConfig s, HnswMergeWorkers w, int tinySegments) {
    return switch (s.storage()) {
      case FLOAT32 ->
          new Lucene99HnswVectorsFormat(
              s.m(), s.beamWidth(), w.count(), w.executor(), tinySegments);
      case INT8 -> quantized(ScalarEncoding.UNSIGNED_BYTE, s, w, tinySegments);
      case INT7 -> quantized(ScalarEncoding.SEVEN_BIT, s, w, tinySegments);
      case INT4 -> quantized(ScalarEncoding.PACKED_NIBBLE, s, w, tinySegments);
      case INT2 -> quantized(ScalarEncoding.DIBIT_QUERY_NIBBLE, s, w, tinySegments);
      case BINARY -> quantized(ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE, s, w, tinySegments);
    };
  }

  private static KnnVectorsFormat quantized(
      ScalarEncoding encoding, SpaceConfig s, HnswMergeWorkers w, int tinySegments) {
    return new Lucene104HnswScalarQuantizedVectorsFormat(
        encoding, s.m(), s.beamWidth(), w.count(), w.executor(), tinySegments);
  }

  /** Lucene's function for a space's similarity ({@link Scores#luceneFunction}). */
  static VectorSimilarityFunction similarity(Similarity s) {
    return VectorSimilarityFunction.valueOf(Scores.luceneFunction(s));
  }
}
