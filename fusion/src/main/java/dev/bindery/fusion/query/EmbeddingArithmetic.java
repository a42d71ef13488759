package dev.bindery.fusion.query;

import dev.bindery.encoders.Modality;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.SpaceConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Embedding arithmetic: resolves each term of a vector expression to a vector, sums them with their
 * weights (in double precision) within one space, and L2-normalizes the sum.
 *
 * <p>The space comes from the modality terms (the tower each one needs). Terms that need different
 * spaces are an error listing them. Expressions made only of {@code item:} and {@code vector:}
 * terms take the one space that fits: a space of the item's vectors, or of the literal's dimension.
 * An identical term is embedded once. Thread-safe if the embedder and the item lookup are.
 */
public final class EmbeddingArithmetic {
  private final TermEmbedder embedder;
  private final Map<String, SpaceConfig> spaces;
  private final Function<String, Optional<Item>> items;
  private final String collection;

  /**
   * @param collection collection name, for messages
   * @param spaces the collection's spaces
   * @param embedder embeds modality terms
   * @param items looks up stored items for {@code item:} terms
   */
  public EmbeddingArithmetic(
      String collection,
      Map<String, SpaceConfig> spaces,
      TermEmbedder embedder,
      Function<String, Optional<Item>> items) {
    this.collection = Objects.requireNonNull(collection, "collection");
    this.spaces = Map.copyOf(spaces);
    this.embedder = Objects.requireNonNull(embedder, "embedder");
    this.items = Objects.requireNonNull(items, "items");
  }

  /**
   * Resolves and sums an expression.
   *
   * @throws IllegalArgumentException naming the term and the reason: a modality without a tower,
   *     terms from different spaces, an unknown item, a wrong dimension, or a zero sum
   */
  public QueryVector resolve(QueryExpr expr) {
    List<QueryExpr> leaves = new ArrayList<>();
    collectLeaves(expr, leaves);
    return sum(expr, leaves, chooseSpace(leaves));
  }

  /**
   * The spaces {@code expr} can be resolved in: the space of its modality terms' tower, else every
   * space that all its item and vector terms fit (possibly none, possibly several).
   *
   * @throws IllegalArgumentException for a modality without a tower, terms of different towers, or
   *     an unknown item
   */
  public Set<String> spacesFor(QueryExpr expr) {
    List<QueryExpr> leaves = new ArrayList<>();
    collectLeaves(expr, leaves);
    return candidateSpaces(leaves);
  }

  /**
   * Resolves and sums an expression in a space the caller chose (one of {@link #spacesFor}).
   *
   * @throws IllegalArgumentException as {@link #resolve(QueryExpr)}, or if the expression cannot
   *     live in {@code space}
   */
  public QueryVector resolve(QueryExpr expr, String space) {
    List<QueryExpr> leaves = new ArrayList<>();
    collectLeaves(expr, leaves);
    Set<String> fits = candidateSpaces(leaves);
    if (!fits.contains(space)) {
      throw new BadArgumentException(
          expr
              + " cannot be resolved in space '"
              + space
              + "' of collection '"
              + collection
              + "'; it fits "
              + (fits.isEmpty() ? "no space" : fits));
    }
    return sum(expr, leaves, space);
  }

  private QueryVector sum(QueryExpr expr, List<QueryExpr> leaves, String space) {
    int dim = spaces.get(space).dim();
    Map<QueryExpr, float[]> vectors = new HashMap<>();
    for (QueryExpr leaf : leaves) {
      if (!vectors.containsKey(leaf)) {
        float[] v = vectorOf(leaf, space);
        if (v.length != dim) {
          throw new BadArgumentException(
              "term "
                  + leaf
                  + " has "
                  + v.length
                  + " dimensions but space '"
                  + space
                  + "' has "
                  + dim);
        }
        vectors.put(leaf, v);
      }
    }
    double[] sum = new double[dim];
    accumulate(expr, 1.0, vectors, sum);
    double norm = 0;
    for (double x : sum) {
      norm += x * x;
    }
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) {
      throw new BadArgumentException(
          "the query vector of " + expr + " is zero (its terms cancel out); nothing to search for");
    }
    float[] out = new float[dim];
    for (int i = 0; i < dim; i++) {
      out[i] = (float) (sum[i] / norm);
    }
    return new QueryVector(space, out);
  }

  private static void collectLeaves(QueryExpr expr, List<QueryExpr> out) {
    switch (expr) {
      case QueryExpr.Term t -> out.add(t);
      case QueryExpr.Media m -> out.add(m);
      case QueryExpr.VectorLiteral v -> out.add(v);
      case QueryExpr.Scaled s -> collectLeaves(s.expr(), out);
      case QueryExpr.Negated n -> collectLeaves(n.expr(), out);
      case QueryExpr.Sum s -> s.terms().forEach(t -> collectLeaves(t, out));
    }
  }

  private static void accumulate(
      QueryExpr expr, double weight, Map<QueryExpr, float[]> vectors, double[] sum) {
    switch (expr) {
      case QueryExpr.Scaled s -> accumulate(s.expr(), weight * s.weight(), vectors, sum);
      case QueryExpr.Negated n -> accumulate(n.expr(), -weight, vectors, sum);
      case QueryExpr.Sum s -> s.terms().forEach(t -> accumulate(t, weight, vectors, sum));
      default -> {
        float[] v = vectors.get(expr);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += weight * v[i];
        }
      }
    }
  }

  private String chooseSpace(List<QueryExpr> leaves) {
    Set<String> candidates = candidateSpaces(leaves);
    if (candidates.size() != 1) {
      throw new BadArgumentException(
          "cannot tell which space "
              + leaves
              + " belongs to in collection '"
              + collection
              + "': "
              + (candidates.isEmpty()
                  ? "no space fits every term"
                  : "spaces " + candidates + " all fit")
              + "; its spaces are "
              + describeSpaces());
    }
    return candidates.iterator().next();
  }

  private Set<String> candidateSpaces(List<QueryExpr> leaves) {
    Map<String, List<String>> byTower = new LinkedHashMap<>();
    for (QueryExpr leaf : leaves) {
      QueryExpr.Kind kind =
          switch (leaf) {
            case QueryExpr.Term t when t.kind() != QueryExpr.Kind.ITEM -> t.kind();
            case QueryExpr.Media md -> md.kind();
            default -> null;
          };
      if (kind != null) {
        QueryExpr t = leaf;
        Modality m = modality(kind);
        String space = embedder.spaces().get(m);
        if (space == null) {
          throw new BadArgumentException(
              "term "
                  + t
                  + " needs a tower for "
                  + m
                  + ", but collection '"
                  + collection
                  + "' has "
                  + embedder.describe()
                  + " with towers for "
                  + new TreeSet<>(
                      embedder.spaces().keySet().stream().map(Modality::wireName).toList()));
        }
        if (!spaces.containsKey(space)) {
          throw new IllegalStateException(
              "the "
                  + m
                  + " tower embeds into space '"
                  + space
                  + "', which collection '"
                  + collection
                  + "' does not have; it has "
                  + new TreeSet<>(spaces.keySet()));
        }
        byTower.computeIfAbsent(space, k -> new ArrayList<>()).add(t.toString());
      }
    }
    if (byTower.size() > 1) {
      StringBuilder sb = new StringBuilder("terms from different spaces cannot be added: ");
      byTower.forEach((s, terms) -> sb.append(s).append(" has ").append(terms).append("; "));
      sb.append("run one query per space instead");
      throw new BadArgumentException(sb.toString());
    }
    if (byTower.size() == 1) {
      // Item and vector terms beside modality terms are checked when they are resolved.
      return new TreeSet<>(byTower.keySet());
    }
    // Only item: and vector: terms: the one space that every term can live in.
    Set<String> candidates = new TreeSet<>(spaces.keySet());
    for (QueryExpr leaf : leaves) {
      Set<String> fits = new LinkedHashSet<>();
      if (leaf instanceof QueryExpr.VectorLiteral v) {
        int dim = v.values().length;
        spaces.values().stream().filter(s -> s.dim() == dim).forEach(s -> fits.add(s.name()));
      } else if (leaf instanceof QueryExpr.Term t) {
        fits.addAll(item(t.value()).vectors().keySet());
      }
      candidates.retainAll(fits);
    }
    return candidates;
  }

  private float[] vectorOf(QueryExpr leaf, String space) {
    if (leaf instanceof QueryExpr.VectorLiteral v) {
      return v.values();
    }
    if (leaf instanceof QueryExpr.Media m) {
      return embedder.embed(modality(m.kind()), m.source());
    }
    QueryExpr.Term t = (QueryExpr.Term) leaf;
    if (t.kind() == QueryExpr.Kind.ITEM) {
      Item item = item(t.value());
      float[] v = item.vectors().get(space);
      if (v == null) {
        throw new BadArgumentException(
            "item '"
                + t.value()
                + "' has no item-level vector in space '"
                + space
                + "'; it has "
                + new TreeSet<>(item.vectors().keySet()));
      }
      return v;
    }
    return embedder.embed(modality(t.kind()), t.value());
  }

  private Item item(String id) {
    return items
        .apply(id)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "item '"
                        + id
                        + "' (in term item:"
                        + id
                        + ") is not in collection '"
                        + collection
                        + "'"));
  }

  private String describeSpaces() {
    List<String> out = new ArrayList<>();
    new TreeSet<>(spaces.keySet()).forEach(s -> out.add(s + " (" + spaces.get(s).dim() + "-d)"));
    return out.toString();
  }

  private static Modality modality(QueryExpr.Kind kind) {
    return switch (kind) {
      case TEXT -> Modality.TEXT;
      case IMAGE -> Modality.IMAGE;
      case AUDIO -> Modality.AUDIO;
      case VIDEO -> Modality.VIDEO;
      case ITEM -> throw new BadArgumentException("item terms have no modality");
    };
  }
}
