package dev.bindery.fusion.query;

import java.util.regex.Pattern;

/** Prints specs and nodes in the canonical expression syntax that the parser reads back. */
final class ExpressionPrinter {
  /** Values that print without quotes: the parser reads them back as one bare value. */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./~][A-Za-z0-9_./~:=@%,-]*");

  private ExpressionPrinter() {}

  static String print(QuerySpec spec) {
    StringBuilder sb = new StringBuilder();
    if (spec.expression() != null) {
      sum(spec.expression(), sb);
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
    sum(expr, sb);
    return sb.toString();
  }

  /** A node in a position where a sum needs no parentheses. */
  private static void sum(QueryExpr expr, StringBuilder sb) {
    if (expr instanceof QueryExpr.Sum s) {
      for (int i = 0; i < s.terms().size(); i++) {
        QueryExpr t = s.terms().get(i);
        if (i == 0) {
          factor(t, sb);
        } else if (t instanceof QueryExpr.Negated n) {
          sb.append(" - ");
          factor(n.expr(), sb);
        } else {
          sb.append(" + ");
          factor(t, sb);
        }
      }
    } else {
      factor(expr, sb);
    }
  }

  /** A node in an operand position: sums get parentheses. */
  private static void factor(QueryExpr expr, StringBuilder sb) {
    switch (expr) {
      case QueryExpr.Sum s -> {
        sb.append('(');
        sum(s, sb);
        sb.append(')');
      }
      case QueryExpr.Negated n -> {
        sb.append('-');
        factor(n.expr(), sb);
      }
      case QueryExpr.Scaled s -> {
        // Double.toString round-trips exactly and the parser reads its exponent form (1.0E-5).
        sb.append(Double.toString(s.weight())).append('*');
        factor(s.expr(), sb);
      }
      case QueryExpr.VectorLiteral v -> {
        sb.append("vector:[");
        float[] values = v.values();
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
        if (t.kind() != QueryExpr.Kind.TEXT && BARE.matcher(t.value()).matches()) {
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
