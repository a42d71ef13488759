package dev.bindery.indexer;

import java.util.regex.Pattern;

/** Rules for the names users give to collections, spaces, fields and filter sets. */
public final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  /** Longest item id in UTF-8 bytes; ids are Lucene terms and file-safe tokens elsewhere. */
  public static final int MAX_ID_BYTES = 512;

  private Names() {}

  /**
   * Checks a collection, space, field or filter-set name: 1..64 characters of {@code
   * [A-Za-z0-9_.-]}, starting with a letter or digit, so it is safe as a directory or field name.
   */
  public static void checkName(String what, String name) {
    if (name == null) {
      throw new BadArgumentException(what + " name must not be null");
    }
    if (!NAME.matcher(name).matches() || name.contains("..")) {
      throw new BadArgumentException(
          what
              + " name '"
              + name
              + "' is invalid: use 1..64 characters of [A-Za-z0-9_.-], starting with a letter or"
              + " digit");
    }
  }

  /** Checks an item id: non-blank, at most {@link #MAX_ID_BYTES} UTF-8 bytes, no control chars. */
  public static void checkId(String id) {
    if (id == null || id.isBlank()) {
      throw new BadArgumentException("item id must not be empty");
    }
    int bytes = id.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_ID_BYTES) {
      throw new BadArgumentException(
          "item id is too long: "
              + bytes
              + " UTF-8 bytes > "
              + MAX_ID_BYTES
              + " (starts with '"
              + id.substring(0, 32)
              + "...')");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new BadArgumentException(
            "item id '" + id.replaceAll("\\p{Cntrl}", "?") + "' contains a control character");
      }
    }
  }
}
