package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;

/**
 * Size limits for query expressions, checked while parsing so a hostile expression costs neither a
 * stack overflow nor unbounded work.
 *
 * @param maxLength longest expression in characters, 1..{@value #CEILING_LENGTH}
 * @param maxTerms most terms (text, image, item, vector, bm25 ...), 1..{@value #CEILING_TERMS}
 * @param maxDepth deepest nesting of parentheses, unary minus and weights, 1..{@value
 *     #CEILING_DEPTH}
 */
public record QueryLimits(int maxLength, int maxTerms, int maxDepth) {
  /** Hard ceiling on {@link #maxLength}. */
  public static final int CEILING_LENGTH = 1_000_000;

  /** Hard ceiling on {@link #maxTerms}; {@link QuerySpec} refuses bigger trees. */
  public static final int CEILING_TERMS = 100_000;

  /**
   * Hard ceiling on {@link #maxDepth}; {@link QuerySpec} refuses deeper trees, so the recursive
   * walks over a spec (printing, arithmetic, equality) stay far from the thread's stack limit.
   */
  public static final int CEILING_DEPTH = 1_000;

  /** 10,000 characters, 1,000 terms, 64 levels. */
  public static final QueryLimits DEFAULT = new QueryLimits(10_000, 1_000, 64);

  public QueryLimits {
    check("maxLength", maxLength, CEILING_LENGTH);
    check("maxTerms", maxTerms, CEILING_TERMS);
    check("maxDepth", maxDepth, CEILING_DEPTH);
  }

  private static void check(String what, int value, int ceiling) {
    if (value < 1 || value > ceiling) {
      throw new BadArgumentException(what + " must be in 1.." + ceiling + ", got " + value);
    }
  }
}
