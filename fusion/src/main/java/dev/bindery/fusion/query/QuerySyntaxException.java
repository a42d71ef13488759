package dev.bindery.fusion.query;

/**
 * A query expression that cannot be read: the message says what is wrong and where, followed by the
 * expression and a caret under the offending column.
 */
public final class QuerySyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** Characters of the expression shown on each side of the caret. */
  private static final int WINDOW = 40;

  private final String reason;
  private final int column;

  /**
   * @param reason what is wrong, without the position
   * @param expression the whole expression
   * @param column 1-based column of the offending character
   */
  public QuerySyntaxException(String reason, String expression, int column) {
    super(message(reason, expression, column));
    this.reason = reason;
    this.column = column;
  }

  /** What is wrong, without position or caret line. */
  public String reason() {
    return reason;
  }

  /** The 1-based column of the offending character (one past the end for "unexpected end"). */
  public int column() {
    return column;
  }

  private static String message(String reason, String expression, int column) {
    int from = Math.max(0, column - 1 - WINDOW);
    int to = Math.min(expression.length(), column - 1 + WINDOW);
    String prefix = from > 0 ? "..." : "";
    String shown =
        prefix + expression.substring(from, to) + (to < expression.length() ? "..." : "");
    // Control characters would shift the caret; show them as spaces.
    shown = shown.replaceAll("\\p{Cntrl}", " ");
    int caret = prefix.length() + (column - 1 - from);
    return reason
        + " at column "
        + column
        + "\n  "
        + shown
        + "\n  "
        + " ".repeat(Math.max(0, caret))
        + "^";
  }
}
