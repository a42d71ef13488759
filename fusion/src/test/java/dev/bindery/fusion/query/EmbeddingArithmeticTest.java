package dev.bindery.fusion.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Modality;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingArithmeticTest {
  private static final int DIM = 8;

  /** A deterministic fake: each (modality, value) gets a seeded Gaussian vector. */
  private static final class FakeEmbedder implements TermEmbedder {
    final Map<Modality, String> spaces;
    final List<String> calls = new ArrayList<>();

    FakeEmbedder(Map<Modality, String> spaces) {
      this.spaces = spaces;
    }

    @Override
    public Map<Modality, String> spaces() {
      return spaces;
    }

    @Override
    public String describe() {
      return "fake package";
    }

    @Override
    public float[] embed(Modality modality, String value) {
      calls.add(modality + ":" + value);
      return gaussian(new Random((modality + value).hashCode()), DIM);
    }
  }

  private static float[] gaussian(Random rnd, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private final Map<String, Item> items = new HashMap<>();
  private final FakeEmbedder embedder =
      new FakeEmbedder(Map.of(Modality.TEXT, "shared", Modality.IMAGE, "shared"));
  private final Map<String, SpaceConfig> spaces =
      Map.of(
          "shared", SpaceConfig.of("shared", DIM, Similarity.COSINE),
          "other", SpaceConfig.of("other", 3, Similarity.COSINE));
  private final EmbeddingArithmetic arithmetic =
      new EmbeddingArithmetic("c", spaces, embedder, id -> Optional.ofNullable(items.get(id)));

  /** Naive reference: flatten to one coefficient per leaf, sum in double, normalize. */
  private float[] naive(QueryExpr expr, String space) {
    Map<QueryExpr, Double> coefficients = new LinkedHashMap<>();
    flatten(expr, 1.0, coefficients);
    double[] sum = new double[DIM];
    for (Map.Entry<QueryExpr, Double> e : coefficients.entrySet()) {
      float[] v =
          switch (e.getKey()) {
            case QueryExpr.VectorLiteral l -> l.values();
            case QueryExpr.Term t when t.kind() == QueryExpr.Kind.ITEM ->
                items.get(t.value()).vectors().get(space);
            case QueryExpr.Term t ->
                gaussian(
                    new Random((Modality.fromName(t.kind().wireName()) + t.value()).hashCode()),
                    DIM);
            default -> throw new AssertionError();
          };
      for (int i = 0; i < DIM; i++) {
        sum[i] += e.getValue() * v[i];
      }
    }
    double n = 0;
    for (double x : sum) {
      n += x * x;
    }
    float[] out = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      out[i] = (float) (sum[i] / Math.sqrt(n));
    }
    return out;
  }

  private static void flatten(QueryExpr e, double w, Map<QueryExpr, Double> out) {
    switch (e) {
      case QueryExpr.Scaled s -> flatten(s.expr(), w * s.weight(), out);
      case QueryExpr.Negated n -> flatten(n.expr(), -w, out);
      case QueryExpr.Sum s -> s.terms().forEach(t -> flatten(t, w, out));
      default -> out.merge(e, w, Double::sum);
    }
  }

  @Test
  void matchesANaiveWeightedSumOnRandomExpressions() {
    long seed = Long.getLong("tests.seed", System.nanoTime());
    Random rnd = new Random(seed);
    for (int i = 0; i < 20; i++) {
      items.put(
          "item" + i,
          Item.builder("item" + i, "image").vector("shared", gaussian(rnd, DIM)).build());
    }
    int checked = 0;
    for (int trial = 0; trial < 500; trial++) {
      QueryExpr e = randomExpr(rnd, 0);
      float[] expected = naive(e, "shared");
      if (!Float.isFinite(expected[0])) {
        continue; // terms cancelled out exactly; covered by zeroVectorIsAnError
      }
      QueryVector got = arithmetic.resolve(e);
      assertEquals("shared", got.space());
      assertArrayEquals(expected, got.vector(), 1e-4f, () -> "seed " + seed + ": " + e);
      double norm = 0;
      for (float x : got.vector()) {
        norm += x * x;
      }
      assertEquals(1.0, norm, 1e-5, () -> "seed " + seed);
      checked++;
    }
    assertTrue(checked > 400, "seed " + seed + ": only " + checked + " checked");
  }

  private QueryExpr randomExpr(Random rnd, int depth) {
    int c = depth >= 4 ? rnd.nextInt(3) : rnd.nextInt(6);
    return switch (c) {
      case 0 -> QueryExpr.text("t" + rnd.nextInt(5));
      case 1 -> QueryExpr.item("item" + rnd.nextInt(20));
      case 2 ->
          rnd.nextBoolean()
              ? QueryExpr.image("i" + rnd.nextInt(3))
              : new QueryExpr.VectorLiteral(gaussian(rnd, DIM));
      case 3 -> new QueryExpr.Scaled(rnd.nextDouble() * 3, randomExpr(rnd, depth + 1));
      case 4 -> new QueryExpr.Negated(randomExpr(rnd, depth + 1));
      default -> new QueryExpr.Sum(List.of(randomExpr(rnd, depth + 1), randomExpr(rnd, depth + 1)));
    };
  }

  @Test
  void identicalTermsAreEmbeddedOnce() {
    arithmetic.resolve(QuerySpec.parse("text:a + 2*text:a - 0.5*(text:a + image:b)").expression());
    assertEquals(List.of("text:a", "image:b"), embedder.calls);
  }

  private void bad(QueryExpr e, String... parts) {
    IllegalArgumentException ex =
        assertThrows(IllegalArgumentException.class, () -> arithmetic.resolve(e));
    for (String p : parts) {
      assertTrue(ex.getMessage().contains(p), ex.getMessage());
    }
  }

  @Test
  void errorsNameTheTermAndTheReason() {
    EmbeddingArithmetic mixed =
        new EmbeddingArithmetic(
            "c",
            Map.of(
                "clip",
                SpaceConfig.of("clip", DIM, Similarity.COSINE),
                "clap",
                SpaceConfig.of("clap", DIM, Similarity.COSINE)),
            new FakeEmbedder(Map.of(Modality.IMAGE, "clip", Modality.AUDIO, "clap")),
            id -> Optional.empty());
    IllegalArgumentException ex =
        assertThrows(
            IllegalArgumentException.class,
            () -> mixed.resolve(QuerySpec.parse("image:a.png + audio:b.wav").expression()));
    assertTrue(
        ex.getMessage().contains("terms from different spaces cannot be added"), ex.getMessage());
    assertTrue(ex.getMessage().contains("clip has [image:a.png]"), ex.getMessage());
    assertTrue(ex.getMessage().contains("clap has [audio:b.wav]"), ex.getMessage());

    bad(
        QueryExpr.audio("x.wav"),
        "audio:x.wav needs a tower for audio",
        "fake package",
        "[image, text]");
    bad(QuerySpec.parse("text:a - text:a").expression(), "is zero (its terms cancel out)");
    bad(QuerySpec.parse("0*text:a").expression(), "is zero");
    bad(QueryExpr.item("nope"), "item 'nope'", "is not in collection 'c'");
    bad(
        QueryExpr.text("a").plus(QueryExpr.vector(1, 2)),
        "has 2 dimensions but space 'shared' has 8");
    bad(
        QueryExpr.vector(1, 2, 3, 4, 5),
        "cannot tell which space",
        "no space fits every term",
        "other (3-d)");
    items.put("img", Item.builder("img", "image").vector("other", new float[] {1, 0, 0}).build());
    bad(
        QueryExpr.text("a").plus(QueryExpr.item("img")),
        "item 'img' has no item-level vector in space 'shared'; it has [other]");
    // Items and literals alone pick the one space that fits them.
    assertEquals(
        "other", arithmetic.resolve(QueryExpr.item("img").plus(QueryExpr.vector(0, 1, 0))).space());
    assertArrayEquals(
        new float[] {0.6f, 0.8f, 0}, arithmetic.resolve(QueryExpr.vector(3, 4, 0)).vector(), 1e-6f);
  }
}
