package dev.bindery.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.ingest.IngestOptions;
import dev.bindery.fusion.ingest.Ingestor;
import dev.bindery.fusion.ingest.ItemSpec;
import dev.bindery.fusion.query.QueryExpr;
import dev.bindery.fusion.query.QuerySpec;
import dev.bindery.fusion.query.ResultHit;
import dev.bindery.fusion.query.SearchOptions;
import dev.bindery.fusion.rank.FusionConfig;
import dev.bindery.fusion.rank.Normalization;
import dev.bindery.indexer.Item;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The fusion benchmarks of issue #5 on a captioned-image manifest (the openclipart test split as
 * the demo collection ships it), through the embedded library end to end.
 *
 * <p><b>Composed queries.</b> For keywords A and B, the query is an image that has A but not B plus
 * the text "B"; the targets are the other images that have both A and B. Recall@10 of the image
 * alone ({@code item:q}), the text alone ({@code text:"B"}) and the composition ({@code item:q +
 * w*text:"B"}) for each text weight w. The query image is removed from every result list (it is
 * never a target), as composed-image-retrieval benchmarks do. B is left out when more than {@code
 * maxShare} of the images carry it (a text query for a word half the set has is no test).
 *
 * <p><b>Hybrid.</b> Each distinct caption searches the images (relevant: the images with that
 * caption), with the kNN leg alone ({@code text:"caption"}), the BM25 leg alone over the items'
 * text, and both fused by RRF. Two item texts are measured: the item's keywords only (a tagged
 * photo library: the query shares some words with it), and the full caption (the query is the
 * document: BM25 alone is near perfect and there is nothing for fusion to add).
 */
public final class FusionBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPACE_COLLECTION = "fusionbench";

  /** Hits each leg fetches before fusion. */
  static final int CANDIDATES = 100;

  /** One row of the manifest. */
  record Entry(String id, String caption, Path image, List<String> keywords) {}

  /** Recall@k figures of one configuration over a query set. */
  public record Recall(String label, int queries, double recallAtK) {}

  /** The whole report. */
  public record Report(
      String manifest,
      String model,
      int images,
      int k,
      int composedQueries,
      int keywordPairs,
      double maxShare,
      List<Recall> composed,
      List<Recall> hybridTags,
      List<Recall> hybridCaptions,
      Map<String, Object> environment) {}

  private final Path manifest;
  private final String model;
  private final int k;
  private final double maxShare;
  private final int maxQueries;
  private final List<Double> weights;

  public FusionBenchmark(
      Path manifest, String model, int k, double maxShare, int maxQueries, List<Double> weights) {
    this.manifest = manifest;
    this.model = model;
    this.k = k;
    this.maxShare = maxShare;
    this.maxQueries = maxQueries;
    this.weights = List.copyOf(weights);
  }

  public Report run(Path workDir, PrintWriter log) {
    List<Entry> entries = read(manifest);
    try (Bindery b = Bindery.open(workDir)) {
      log.printf("embedding %d images with %s...%n", entries.size(), model);
      log.flush();
      List<Item> embedded = embed(b, entries);
      Map<String, Entry> byId = new LinkedHashMap<>();
      entries.forEach(e -> byId.put(e.id(), e));

      String tags = SPACE_COLLECTION + "-tags";
      String caps = SPACE_COLLECTION + "-captions";
      load(b, tags, embedded, e -> String.join(", ", e.keywords()), byId);
      load(b, caps, embedded, Entry::caption, byId);

      List<Recall> composed = new ArrayList<>();
      int[] pairs = new int[1];
      List<ComposedQuery> queries = composedQueries(entries, pairs);
      log.printf("composed: %d queries over %d keyword pairs%n", queries.size(), pairs[0]);
      log.flush();
      composed.add(
          recall("image alone", queries, q -> knn(b, tags, QueryExpr.item(q.queryId()), q)));
      composed.add(
          recall("text alone", queries, q -> knn(b, tags, QueryExpr.text(q.keyword()), q)));
      for (double w : weights) {
        composed.add(
            recall(
                "image + " + w + " x text",
                queries,
                q ->
                    knn(
                        b,
                        tags,
                        new QueryExpr.Sum(
                            List.of(
                                QueryExpr.item(q.queryId()),
                                new QueryExpr.Scaled(w, QueryExpr.text(q.keyword())))),
                        q)));
      }
      List<ComposedQuery> captionQueries = captionQueries(entries);
      List<Recall> hybridTags = hybrid(b, tags, captionQueries);
      List<Recall> hybridCaps = hybrid(b, caps, captionQueries);
      Map<String, Object> env = new LinkedHashMap<>();
      env.put("java", System.getProperty("java.version"));
      env.put("cores", Runtime.getRuntime().availableProcessors());
      return new Report(
          manifest.toString(),
          model,
          entries.size(),
          k,
          queries.size(),
          pairs[0],
          maxShare,
          composed,
          hybridTags,
          hybridCaps,
          env);
    }
  }

  // ------------------------------------------------------------------ data

  static List<Entry> read(Path manifest) {
    List<Entry> out = new ArrayList<>();
    Path dir = manifest.toAbsolutePath().getParent();
    List<String> lines;
    try {
      lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      JsonNode o;
      try {
        o = JSON.readTree(lines.get(i));
      } catch (IOException e) {
        throw new IllegalArgumentException(
            manifest + " line " + (i + 1) + ": malformed JSON: " + e.getMessage(), e);
      }
      List<String> kw = new ArrayList<>();
      JsonNode k = o.path("metadata").path("keywords");
      k.forEach(n -> kw.add(n.asText()));
      if (!o.hasNonNull("id") || !o.hasNonNull("text") || !o.hasNonNull("image")) {
        throw new IllegalArgumentException(
            manifest + " line " + (i + 1) + ": needs id, text and image");
      }
      out.add(
          new Entry(
              o.get("id").asText(),
              o.get("text").asText(),
              dir.resolve(o.get("image").asText()),
              List.copyOf(new TreeSet<>(kw))));
    }
    return out;
  }

  private List<Item> embed(Bindery b, List<Entry> entries) {
    b.createCollection(SPACE_COLLECTION, model);
    Ingestor ing = new Ingestor(b, SPACE_COLLECTION, IngestOptions.files(Path.of("")));
    List<Item> items = new ArrayList<>();
    for (Entry e : entries) {
      items.add(
          ing.toItem(new ItemSpec(e.id(), null, e.image().toString(), null, null, null, null)));
    }
    return items;
  }

  private void load(
      Bindery b,
      String collection,
      List<Item> embedded,
      Function<Entry, String> text,
      Map<String, Entry> byId) {
    b.createCollection(collection, model);
    List<Item> items = new ArrayList<>();
    for (Item it : embedded) {
      Entry e = byId.get(it.id());
      Map<String, Object> meta = new LinkedHashMap<>();
      if (!e.keywords().isEmpty()) {
        meta.put("keywords", e.keywords());
      }
      String t = text.apply(e);
      items.add(
          new Item(
              it.id(),
              it.modality(),
              it.source(),
              t.isBlank() ? Map.of() : Map.of(Bindery.TEXT_FIELD, t),
              meta,
              it.vectors(),
              it.segments()));
    }
    b.add(collection, items);
    b.commit(collection);
  }

  // ------------------------------------------------------------------ queries

  /** A query: the item or text it starts from, and its targets. */
  record ComposedQuery(String queryId, String keyword, String caption, Set<String> targets) {}

  private List<ComposedQuery> composedQueries(List<Entry> entries, int[] pairCount) {
    Map<String, Set<String>> itemsWith = new TreeMap<>();
    for (Entry e : entries) {
      for (String kw : e.keywords()) {
        itemsWith.computeIfAbsent(kw, x -> new TreeSet<>()).add(e.id());
      }
    }
    int limit = (int) Math.floor(maxShare * entries.size());
    List<ComposedQuery> out = new ArrayList<>();
    Set<String> pairs = new HashSet<>();
    for (Entry q : entries) {
      Set<String> qkw = new HashSet<>(q.keywords());
      for (String a : q.keywords()) {
        for (Map.Entry<String, Set<String>> bEntry : itemsWith.entrySet()) {
          String bkw = bEntry.getKey();
          if (qkw.contains(bkw) || bEntry.getValue().size() > limit) {
            continue;
          }
          Set<String> targets = new TreeSet<>(bEntry.getValue());
          targets.retainAll(itemsWith.get(a));
          targets.remove(q.id());
          if (!targets.isEmpty()) {
            out.add(new ComposedQuery(q.id(), bkw, null, targets));
            pairs.add(a + "\u0000" + bkw);
          }
        }
      }
    }
    pairCount[0] = pairs.size();
    // a deterministic, evenly spread subset when there are more than maxQueries
    if (out.size() > maxQueries) {
      List<ComposedQuery> sub = new ArrayList<>(maxQueries);
      for (int i = 0; i < maxQueries; i++) {
        sub.add(out.get((int) ((long) i * out.size() / maxQueries)));
      }
      return sub;
    }
    return out;
  }

  private static List<ComposedQuery> captionQueries(List<Entry> entries) {
    Map<String, Set<String>> byCaption = new LinkedHashMap<>();
    for (Entry e : entries) {
      byCaption.computeIfAbsent(e.caption(), c -> new TreeSet<>()).add(e.id());
    }
    List<ComposedQuery> out = new ArrayList<>();
    byCaption.forEach((c, ids) -> out.add(new ComposedQuery(null, null, c, ids)));
    return out;
  }

  /** The fusion settings the hybrid benchmark compares, by label. */
  static Map<String, FusionConfig> fusionVariants(String knnLeg) {
    Map<String, FusionConfig> m = new LinkedHashMap<>();
    m.put("RRF k=60", FusionConfig.rrf());
    m.put("RRF k=60, kNN weight 0.5", FusionConfig.rrf().withWeights(Map.of(knnLeg, 0.5)));
    m.put("RRF k=60, kNN weight 0.25", FusionConfig.rrf().withWeights(Map.of(knnLeg, 0.25)));
    m.put("DBSF", FusionConfig.dbsf());
    m.put("weighted z-score", FusionConfig.weighted(Normalization.Z_SCORE));
    m.put("weighted min-max", FusionConfig.weighted(Normalization.MIN_MAX));
    return m;
  }

  private List<Recall> hybrid(Bindery b, String collection, List<ComposedQuery> queries) {
    String knnLeg = "knn:" + b.describe(collection).config().spaces().keySet().iterator().next();
    List<Recall> out = new ArrayList<>();
    out.add(
        recall(
            "kNN alone",
            queries,
            q -> hits(b, collection, QuerySpec.of(QueryExpr.text(q.caption())), null, null)));
    out.add(
        recall(
            "BM25 alone",
            queries,
            q -> hits(b, collection, new QuerySpec(null, q.caption()), null, null)));
    fusionVariants(knnLeg)
        .forEach(
            (label, config) ->
                out.add(
                    recall(
                        "kNN + BM25, " + label,
                        queries,
                        q ->
                            hits(
                                b,
                                collection,
                                QuerySpec.of(QueryExpr.text(q.caption())).withBm25(q.caption()),
                                null,
                                config))));
    return out;
  }

  private List<String> knn(Bindery b, String collection, QueryExpr expr, ComposedQuery q) {
    return hits(b, collection, QuerySpec.of(expr), q.queryId(), null);
  }

  private List<String> hits(
      Bindery b, String collection, QuerySpec spec, String exclude, FusionConfig fusion) {
    List<String> ids = new ArrayList<>();
    SearchOptions options = SearchOptions.of(k + 1).withCandidates(CANDIDATES);
    if (fusion != null) {
      options = options.withFusion(fusion);
    }
    for (ResultHit h : b.search(collection, spec, options).hits()) {
      if (!h.id().equals(exclude) && ids.size() < k) {
        ids.add(h.id());
      }
    }
    return ids;
  }

  private Recall recall(
      String label, List<ComposedQuery> queries, Function<ComposedQuery, List<String>> run) {
    double sum = 0;
    for (ComposedQuery q : queries) {
      sum += recallAt(run.apply(q), q.targets(), k);
    }
    return new Recall(label, queries.size(), queries.isEmpty() ? 0 : sum / queries.size());
  }

  /** Share of the relevant ids found in the top k, out of at most k (so k hits can score 1). */
  static double recallAt(List<String> ranked, Collection<String> relevant, int k) {
    if (relevant.isEmpty()) {
      throw new IllegalArgumentException("a query needs at least one relevant id");
    }
    Set<String> rel = new HashSet<>(relevant);
    long found = ranked.stream().limit(k).filter(rel::contains).count();
    return (double) found / Math.min(k, rel.size());
  }

  /** The settings the validation report picks: the best composed row and best fused row. */
  static Map<String, String> chosen(Report val) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("composed", best(val.composed(), "image + "));
    m.put("hybrid", best(val.hybridTags(), "kNN + BM25, "));
    return m;
  }

  private static String best(List<Recall> rows, String prefix) {
    Recall top = null;
    for (Recall r : rows) {
      if (r.label().startsWith(prefix) && (top == null || r.recallAtK() > top.recallAtK())) {
        top = r;
      }
    }
    return top == null ? null : top.label();
  }

  /** The report as Markdown: the test figures, and the validation ones that chose the settings. */
  static String markdown(Report r, Report val, String command) {
    Map<String, String> chosen = val == null ? Map.of() : chosen(val);
    StringBuilder sb = new StringBuilder();
    sb.append("# Fusion benchmarks: composed queries and hybrid search\n\n");
    sb.append("Regenerate: `").append(command).append("`\n\n");
    sb.append(
        String.format(
            java.util.Locale.ROOT,
            "Data: `%s` (%d images), model `%s`, Recall@%d.%s%n%n",
            r.manifest(),
            r.images(),
            r.model(),
            r.k(),
            val == null
                ? ""
                : " Settings marked **chosen** were picked on the validation split (`"
                    + val.manifest()
                    + "`, "
                    + val.images()
                    + " images), never on this one."));
    sb.append("## Composed queries: image with keyword A + text \"B\"\n\n");
    sb.append(
        String.format(
            java.util.Locale.ROOT,
            "%d queries over %d keyword pairs (A, B); B on at most %.0f%% of the images; targets:"
                + " the other images with both A and B; the query image is removed from each"
                + " list.%n%n",
            r.composedQueries(),
            r.keywordPairs(),
            100 * r.maxShare()));
    table(sb, r.composed(), val == null ? null : val.composed(), chosen.get("composed"));
    sb.append("\n## Hybrid: caption queries, kNN vs BM25 vs both fused\n\n");
    sb.append(
        "Each distinct caption searches the images; relevant: the images with that caption. Each"
            + " leg fetches "
            + CANDIDATES
            + " candidates before fusion.\n\n");
    sb.append(
        "Item text = the image's keywords (a tagged library; the query shares words with it):\n\n");
    table(sb, r.hybridTags(), val == null ? null : val.hybridTags(), chosen.get("hybrid"));
    sb.append("\nItem text = the full caption (the query is the document's own text):\n\n");
    table(sb, r.hybridCaptions(), val == null ? null : val.hybridCaptions(), null);
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<Recall> rows, List<Recall> val, String chosen) {
    Map<String, Double> v = val == null ? Map.of() : byLabel(val);
    sb.append(
        val == null
            ? "| query | queries | Recall@10 |\n|---|---|---|\n"
            : "| query | queries | Recall@10 (test) | Recall@10 (validation) |\n|---|---|---|---|\n");
    for (Recall x : rows) {
      String label = x.label().equals(chosen) ? x.label() + " (**chosen**)" : x.label();
      sb.append(
          String.format(
              java.util.Locale.ROOT, "| %s | %d | %.4f |", label, x.queries(), x.recallAtK()));
      if (val != null) {
        Double vv = v.get(x.label());
        sb.append(vv == null ? " |" : String.format(java.util.Locale.ROOT, " %.4f |", vv));
      }
      sb.append('\n');
    }
  }

  static Map<String, Double> byLabel(List<Recall> rows) {
    Map<String, Double> m = new HashMap<>();
    rows.forEach(r -> m.put(r.label(), r.recallAtK()));
    return m;
  }
}
