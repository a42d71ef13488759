package dev.bindery.generator.rag;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.QueryExecutor;
import dev.bindery.fusion.query.QueryExpr;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.rank.Interleaved;
import dev.bindery.fusion.rank.RetrievalInterleaver;
import dev.bindery.generator.DeltaListener;
import dev.bindery.generator.grounding.BoxParser;
import dev.bindery.generator.grounding.CitationParser;
import dev.bindery.generator.grounding.Citations;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.Item;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/**
 * Retrieval-augmented answering over one {@link Bindery}: question (and image) -> retrieval through
 * the fusion facade -> an {@link Answerer} -> an {@link Answer} whose citations, boxes and {@code
 * [RET]} retrievals point at real items.
 *
 * <p>Retrieval: a text question is the expression {@code text:"<question>"} plus, when {@link
 * RagOptions#hybrid()} is on and the question has a word BM25 can search, a BM25 leg over the same
 * text, fused by RRF. With an image, the vector is {@code image:<the image> + w*text:"<question>"}
 * ({@code w} = {@link RagOptions#questionTextWeight()}; the image term holds the request's bytes,
 * {@link QueryExpr.Media}, so nothing is written to disk). The collection's model package must have
 * the towers this needs (an image question needs an image tower), else the facade's error says
 * which is missing. Each hit carries its kNN cosine ({@link RetrievedItem#similarity()}) from the
 * search's explain data and its stored text.
 *
 * <p>After the answerer: with {@link AskRequest#interleave()}, the answer is split at its {@code
 * [RET]} markers by fusion's {@link RetrievalInterleaver} and each marker's query (the span before
 * it) is retrieved as {@code text:"<span>"} for {@link RagOptions#retPerMarker()} items under the
 * request's filter; citations are then read with {@link CitationParser} against the ids of the
 * question's retrieval (never the [RET] items), and boxes with {@link BoxParser}.
 *
 * <p>Errors: bad requests are {@link IllegalArgumentException}s naming the input (see {@link
 * AskRequest}; an image that does not decode names the image and why); a failing model endpoint is
 * a {@link dev.bindery.generator.GeneratorException}. Nothing is written to the collection.
 * Thread-safe when the answerer is.
 */
public final class RagPipeline {
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  private final Bindery bindery;
  private final Answerer answerer;
  private final RagOptions options;
  private final ImageDecoder decoder;
  private final RetrievalInterleaver interleaver = RetrievalInterleaver.defaults();

  /**
   * @param bindery the library to retrieve from; not closed by the pipeline
   * @param answerer who writes the answer
   * @param options retrieval and context settings
   * @param decoder decodes question images (and, in a {@link ModelAnswerer}, item images)
   */
  public RagPipeline(Bindery bindery, Answerer answerer, RagOptions options, ImageDecoder decoder) {
    this.bindery = Objects.requireNonNull(bindery, "bindery");
    this.answerer = Objects.requireNonNull(answerer, "answerer");
    this.options = Objects.requireNonNull(options, "options");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
  }

  /** The offline pipeline: the {@link ExtractiveAnswerer} with default settings. */
  public static RagPipeline extractive(Bindery bindery) {
    return new RagPipeline(
        bindery, new ExtractiveAnswerer(), RagOptions.defaults(), new ImageDecoder());
  }

  public Answerer answerer() {
    return answerer;
  }

  public RagOptions options() {
    return options;
  }

  /** Answers a question. */
  public Answer ask(AskRequest request) {
    return ask(request, DeltaListener.NONE);
  }

  /**
   * Answers a question, streaming the answer's text to {@code listener} as the answerer writes it
   * (a model endpoint is then asked to stream). The streamed text still has its {@code [RET]}
   * markers; the returned answer is final.
   */
  public Answer ask(AskRequest request, DeltaListener listener) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(listener, "listener");
    long t0 = System.nanoTime();
    BufferedImage image =
        request.hasImage() ? decoder.decode(request.image(), request.imageName()) : null;
    List<RetrievedItem> items = retrieve(request);
    long t1 = System.nanoTime();

    AnswerDraft draft =
        answerer.answer(
            new AnswerInput(request.question(), image, items, request.interleave()), listener);
    long t2 = System.nanoTime();

    String text = draft.text();
    List<AnswerSegment> segments = new ArrayList<>();
    if (request.interleave()) {
      List<List<RetrievedItem>> retrieved = new ArrayList<>();
      Interleaved il =
          interleaver.apply(
              text,
              query -> {
                List<RetrievedItem> got = retrieveSpan(request, query);
                retrieved.add(got);
                return got.stream().map(RagPipeline::toHit).toList();
              },
              options.retPerMarker());
      text = il.text();
      int next = 0;
      for (Interleaved.Part part : il.parts()) {
        switch (part) {
          case Interleaved.TextPart t -> segments.add(new AnswerSegment.Text(t.text()));
          case Interleaved.RetrievalPart r -> {
            List<RetrievedItem> got = retrieved.get(next++);
            segments.add(
                new AnswerSegment.Retrieval(
                    r.span().query(),
                    r.span().markerIndex(),
                    got.subList(0, Math.min(got.size(), r.hits().size()))));
          }
        }
      }
    } else if (!text.isEmpty()) {
      segments.add(new AnswerSegment.Text(text));
    }
    long t3 = System.nanoTime();

    Set<String> ids = new LinkedHashSet<>();
    items.forEach(i -> ids.add(i.id()));
    Citations citations = new CitationParser(ids).parse(text);
    BoxParser.Result boxes = new BoxParser().parse(text, citations, image != null);
    return new Answer(
        request.question(),
        text,
        plainText(text, citations),
        draft.abstained(),
        citations.cited(),
        citations.dropped(),
        items,
        segments,
        boxes.regions(),
        boxes.malformed(),
        draft.context(),
        answerer.describe(),
        draft.finishReason(),
        draft.usage(),
        new Timings(ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(System.nanoTime() - t0)));
  }

  /** The items for the question, best first. */
  List<RetrievedItem> retrieve(AskRequest request) {
    QueryExpr text = QueryExpr.text(request.question());
    SearchOptions search =
        SearchOptions.of(request.k()).withFilter(request.filter()).withExplain(true);
    if (!request.hasImage()) {
      boolean bm25 = options.hybrid() && hasSearchableWord(request.question());
      QuerySpec spec = new QuerySpec(text, bm25 ? request.question() : null);
      return items(request.collection(), bindery.search(request.collection(), spec, search).hits());
    }
    // The question image goes to the image tower from memory: no temporary file.
    QueryExpr expr = QueryExpr.image(MediaSource.of(request.image(), request.imageName(), null));
    if (options.questionTextWeight() > 0) {
      expr = expr.plus(text.times(options.questionTextWeight()));
    }
    return items(
        request.collection(),
        bindery.search(request.collection(), QuerySpec.of(expr), search).hits());
  }

  private List<RetrievedItem> retrieveSpan(AskRequest request, String query) {
    SearchOptions search =
        SearchOptions.of(options.retPerMarker()).withFilter(request.filter()).withExplain(true);
    return items(
        request.collection(),
        bindery.search(request.collection(), QuerySpec.of(QueryExpr.text(query)), search).hits());
  }

  private List<RetrievedItem> items(String collection, List<ResultHit> hits) {
    List<RetrievedItem> out = new ArrayList<>(hits.size());
    for (ResultHit h : hits) {
      Map<String, String> text =
          bindery.backend().get(collection, h.id()).map(Item::text).orElse(Map.of());
      out.add(
          new RetrievedItem(
              h.id(),
              out.size() + 1,
              h.score(),
              similarity(h),
              h.modality(),
              h.source(),
              h.metadata(),
              text,
              h.segment()));
    }
    return out;
  }

  /** The kNN leg's raw score from a hit's explain data, or null if that leg did not return it. */
  static Double similarity(ResultHit h) {
    if (h.explain() == null) {
      return null;
    }
    var raw = h.explain().rawScore(QueryExecutor.KNN_PREFIX);
    return raw.isPresent() ? raw.getAsDouble() : null;
  }

  /**
   * True when BM25 can search some word of the text: one that is not an English stop word of the
   * indexer's analyzer (else the BM25 leg would have no terms and the search would fail).
   */
  static boolean hasSearchableWord(String text) {
    var m = WORD.matcher(text.toLowerCase(java.util.Locale.ROOT));
    while (m.find()) {
      if (!EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.contains(m.group())) {
        return true;
      }
    }
    return false;
  }

  /** The answer without citations of retrieved ids and box tags, whitespace collapsed. */
  static String plainText(String text, Citations citations) {
    StringBuilder sb = new StringBuilder();
    int from = 0;
    for (Citations.Marker m : citations.markers()) {
      sb.append(text, from, m.start());
      from = m.end();
    }
    sb.append(text.substring(from));
    String s =
        sb.toString()
            .replaceAll("<box>.*?</box>|<\\|box_start\\|>.*?<\\|box_end\\|>", "")
            .replaceAll("</?ref>|<\\|object_ref_(start|end)\\|>", "");
    return s.replaceAll("\\s+([.,;:!?])", "$1").replaceAll("\\s+", " ").strip();
  }

  private static Hit toHit(RetrievedItem i) {
    return new Hit(i.id(), (float) i.score(), i.modality(), i.source(), i.metadata(), i.segment());
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }
}
