package dev.bindery.fusion.query;

import java.util.Arrays;
import java.util.regex.Pattern;

/** Prints specs and nodes in the canonical expression syntax that the parser reads back. */
final class ExpressionPrinter {
  /** Values that print without quotes: the parser reads them back as one bare value. */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./~][A-Za-z0-9_./~:=@%,-]*");

  /** Bare values inside {@code recommend(...)}, where a comma separates examples. */
  private static final Pattern BARE_IN_LIST =
      Pattern.compile("[A-Za-z0-9_./~][A-Za-z0-9_./~:=@%-]*");

  private ExpressionPrinter() {}

  static String print(QuerySpec spec) {
    return print(spec, false);
  }

  /**
   * The canonical text with each vector literal replaced by its length and a hash of its bits: what
   * identifies a query (e.g. for a search cursor) without formatting hundreds of floats on every
   * search. Not parseable; equal specs give equal text in any JVM.
   */
  static String identity(QuerySpec spec) {
    return print(spec, true);
  }

  private static String print(QuerySpec spec, boolean digest) {
    StringBuilder sb = new StringBuilder();
    if (spec.expression() != null) {
      sum(spec.expression(), sb, BARE, digest);
    }
    if (spec.recommend() != null) {
      if (!sb.isEmpty()) {
        sb.append(" + ");
      }
      recommend(spec.recommend(), sb, digest);
    }
    if (spec.bm25() != null) {
      if (!sb.isEmpty()) {
        sb.append(" + ");
      }
      sb.append("bm25:");
      quoted(spec.bm25(), sb);
    }
    return sb.toString();
  }

  static String print(QueryExpr expr) {
    StringBuilder sb = new StringBuilder();
    sum(expr, sb, BARE, false);
    return sb.toString();
  }

  static String print(Recommend recommend) {
    StringBuilder sb = new StringBuilder();
    recommend(recommend, sb, false);
    return sb.toString();
  }

  /** {@code recommend(+EX, -EX, strategy=NAME, space=NAME)}; defaults are left out. */
  private static void recommend(Recommend r, StringBuilder sb, boolean digest) {
    sb.append("recommend(");
    String sep = "";
    for (QueryExpr e : r.positive()) {
      sb.append(sep).append('+');
      sum(e, sb, BARE_IN_LIST, digest);
      sep = ", ";
    }
    for (QueryExpr e : r.negative()) {
      sb.append(sep).append('-');
      sum(e, sb, BARE_IN_LIST, digest);
    }
    if (r.strategy() != RecommendStrategy.AVERAGE_VECTOR) {
      sb.append(", strategy=").append(r.strategy().wireName());
    }
    if (r.space() != null) {
      sb.append(", space=").append(r.space());
    }
    sb.append(')');
  }

  /** A node in a position where a sum needs no parentheses. */
  private static void sum(QueryExpr expr, StringBuilder sb, Pattern bare, boolean digest) {
    if (expr instanceof QueryExpr.Sum s) {
      for (int i = 0; i < s.terms().size(); i++) {
        QueryExpr t = s.terms().get(i);
        if (i == 0) {
          factor(t, sb, bare, digest);
        } else if (t instanceof QueryExpr.Negated n) {
          sb.append(" - ");
          factor(n.expr(), sb, bare, digest);
        } else {
          sb.append(" + ");
          factor(t, sb, bare, digest);
        }
      }
    } else {
      factor(expr, sb, bare, digest);
    }
  }

  /** A node in an operand position: sums get parentheses. */
  private static void factor(QueryExpr expr, StringBuilder sb, Pattern bare, boolean digest) {
    switch (expr) {
      case QueryExpr.Sum s -> {
        sb.append('(');
        sum(s, sb, bare, digest);
        sb.append(')');
      }
      case QueryExpr.Negated n -> {
        sb.append('-');
        factor(n.expr(), sb, bare, digest);
      }
      case QueryExpr.Scaled s -> {
        // Double.toString round-trips exactly and the parser reads its exponent form (1.0E-5).
        sb.append(Double.toString(s.weight())).append('*');
        factor(s.expr(), sb, bare, digest);
      }
      case QueryExpr.VectorLiteral v -> {
        float[] values = v.values();
        if (digest) {
          sb.append("vector:#")
              .append(values.length)
              .append('/')
              .append(Integer.toHexString(Arrays.hashCode(values)));
          return;
        }
        sb.append("vector:[");
        for (int i = 0; i < values.length; i++) {
          if (i > 0) {
            sb.append(", ");
          }
          sb.append(Float.toString(values[i]));
        }
        sb.append(']');
      }
      case QueryExpr.Media m -> {
        sb.append(m.kind().wireName()).append(':');
        String what =
            m.source() instanceof dev.bindery.encoders.MediaSource.Bytes b
                ? "(bytes) " + b.name() + ", " + b.bytes().length + " bytes"
                : m.source().describe();
        quoted(what, sb);
      }
      case QueryExpr.Term t -> {
        sb.append(t.kind().wireName()).append(':');
        if (t.kind() != QueryExpr.Kind.TEXT && bare.matcher(t.value()).matches()) {
          sb.append(t.value());
        } else {
          quoted(t.value(), sb);
        }
      }
    }
  }

  static void quoted(String value, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    sb.append('"');
  }
}
