package dev.bindery.fusion.query;

import dev.bindery.encoders.MediaSource;
import dev.bindery.indexer.BadArgumentException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One node of a query's vector expression: a term that becomes a vector, or a weighted sum of
 * nodes. Nodes are immutable and validated; {@link #toString()} prints the canonical expression
 * syntax, which {@link QueryParser} reads back into an equal node.
 */
public sealed interface QueryExpr
    permits QueryExpr.Term,
        QueryExpr.Media,
        QueryExpr.VectorLiteral,
        QueryExpr.Scaled,
        QueryExpr.Negated,
        QueryExpr.Sum {

  /** The kinds of term that name an input to embed or an item to reuse. */
  enum Kind {
    /** Free text, embedded with the text tower. */
    TEXT,
    /** An image file, embedded with the image tower. */
    IMAGE,
    /** An audio file, embedded with the audio tower (item vector). */
    AUDIO,
    /** A video file, embedded with the video tower (item vector). */
    VIDEO,
    /** The stored vector of an item of the collection. */
    ITEM;

    /** The prefix used in the expression syntax and in JSON. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A term that names an input: {@code text:"a cat"}, {@code image:cat.png}, {@code item:id-42}.
   *
   * @param kind what the value is
   * @param value the text, path or item id; not blank
   */
  record Term(Kind kind, String value) implements QueryExpr {
    public Term {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(value, () -> kind.wireName() + " term value");
      if (value.isBlank()) {
        throw new BadArgumentException(
            "empty " + kind.wireName() + " term: '" + value + "'; give a non-blank value");
      }
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /**
   * A media term whose content is given, not named: an image, a sound or a video held in memory (an
   * upload, a question image), embedded without a temporary file. It has no expression syntax of
   * its own: {@link #toString()} prints a short description ({@code image:"(bytes) q.png, 5120
   * bytes"}) that is not read back, and {@link QuerySpecJson} writes it as a data URL, the form the
   * HTTP API takes.
   *
   * @param kind {@link Kind#IMAGE}, {@link Kind#AUDIO} or {@link Kind#VIDEO}
   * @param source the media
   */
  record Media(Kind kind, MediaSource source) implements QueryExpr {
    public Media {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(source, () -> kind.wireName() + " term media");
      if (kind == Kind.TEXT || kind == Kind.ITEM) {
        throw new BadArgumentException(
            "a " + kind.wireName() + " term cannot hold media; use image, audio or video");
      }
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /**
   * A literal vector: {@code vector:[0.1, -2, 3e-2]}.
   *
   * @param values the components; at least one, all finite
   */
  record VectorLiteral(float[] values) implements QueryExpr {
    public VectorLiteral {
      Objects.requireNonNull(values, "vector values");
      if (values.length == 0) {
        throw new BadArgumentException("vector literal has no components");
      }
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          throw new BadArgumentException(
              "vector literal component " + i + " is not finite: " + values[i]);
        }
      }
      values = values.clone();
    }

    /** A copy of the components. */
    @Override
    public float[] values() {
      return values.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof VectorLiteral v && Arrays.equals(values, v.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /**
   * A weighted node: {@code 0.5*text:"at night"}.
   *
   * @param weight finite and >= 0 (subtract with {@link Negated}); -0.0 becomes 0.0
   * @param expr the weighted node
   */
  record Scaled(double weight, QueryExpr expr) implements QueryExpr {
    public Scaled {
      Objects.requireNonNull(expr, "scaled expression");
      if (!Double.isFinite(weight)) {
        throw new BadArgumentException("weight must be a finite number, got " + weight);
      }
      if (weight < 0) {
        throw new BadArgumentException(
            "weight must be >= 0, got "
                + weight
                + "; subtract instead: - "
                + (-weight)
                + "*"
                + ExpressionPrinter.print(expr));
      }
      // Canonical: -0.0 would print as "-0.0", which reads back as a negation.
      weight = weight + 0.0;
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /**
   * A negated node: {@code -text:"daylight"}, or the right side of a subtraction.
   *
   * @param expr the negated node
   */
  record Negated(QueryExpr expr) implements QueryExpr {
    public Negated {
      Objects.requireNonNull(expr, "negated expression");
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /**
   * A sum of two or more nodes; {@code a - b} is the sum of {@code a} and {@code Negated(b)}.
   *
   * @param terms the summands, at least two, none null
   */
  record Sum(List<QueryExpr> terms) implements QueryExpr {
    public Sum {
      Objects.requireNonNull(terms, "sum terms");
      if (terms.size() < 2) {
        throw new BadArgumentException(
            "a sum needs at least two terms, got " + terms.size() + ": " + terms);
      }
      for (int i = 0; i < terms.size(); i++) {
        if (terms.get(i) == null) {
          throw new BadArgumentException("sum term " + i + " is null");
        }
      }
      terms = List.copyOf(terms);
    }

    @Override
    public String toString() {
      return ExpressionPrinter.print(this);
    }
  }

  /** {@code text:"..."}. */
  static QueryExpr text(String text) {
    return new Term(Kind.TEXT, text);
  }

  /** {@code image:PATH}. */
  static QueryExpr image(String path) {
    return new Term(Kind.IMAGE, path);
  }

  /** {@code audio:PATH}. */
  static QueryExpr audio(String path) {
    return new Term(Kind.AUDIO, path);
  }

  /** {@code video:PATH}. */
  static QueryExpr video(String path) {
    return new Term(Kind.VIDEO, path);
  }

  /** An image held in memory (see {@link Media}). */
  static QueryExpr image(MediaSource media) {
    return new Media(Kind.IMAGE, media);
  }

  /** A sound held in memory (see {@link Media}). */
  static QueryExpr audio(MediaSource media) {
    return new Media(Kind.AUDIO, media);
  }

  /** A video held in memory (see {@link Media}). */
  static QueryExpr video(MediaSource media) {
    return new Media(Kind.VIDEO, media);
  }

  /** {@code item:ID}. */
  static QueryExpr item(String id) {
    return new Term(Kind.ITEM, id);
  }

  /** {@code vector:[...]}. */
  static QueryExpr vector(float... values) {
    return new VectorLiteral(values);
  }

  /** {@code weight*this}. */
  default QueryExpr times(double weight) {
    return new Scaled(weight, this);
  }

  /** {@code this + other}. */
  default QueryExpr plus(QueryExpr other) {
    return new Sum(List.of(this, other));
  }

  /** {@code this - other}. */
  default QueryExpr minus(QueryExpr other) {
    return new Sum(List.of(this, new Negated(other)));
  }
}
