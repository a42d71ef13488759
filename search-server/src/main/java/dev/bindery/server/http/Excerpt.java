package dev.bindery.server.http;

/**
 * A short excerpt of client input for error messages: an error must say what was wrong without
 * echoing a 40 MB vector or a megabyte-long term back (one such answer costs as much heap as the
 * request, and twenty at once exhaust it).
 */
final class Excerpt {
  /** The longest detail a problem body carries. */
  static final int MAX_DETAIL_CHARS = 1000;

  private Excerpt() {}

  /**
   * {@code s} cut to {@code max} characters (never inside a surrogate pair), with how much was left
   * out.
   */
  static String of(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = max;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + "... (" + (s.length() - end) + " more characters)";
  }
}
