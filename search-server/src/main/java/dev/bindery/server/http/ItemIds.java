package dev.bindery.server.http;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Names;
import java.util.HexFormat;

/**
 * The rules for an item id that arrives over HTTP: the index's rules ({@link Names#checkId}), valid
 * Unicode, no {@code ..}, and for an id to be written no {@code /} or {@code \}, so an id can never
 * be mistaken for a path anywhere. Each refusal is a {@link BadArgumentException} naming where in
 * the request the id was.
 */
final class ItemIds {
  private ItemIds() {}

  /** Checks an id that a client wants to write. */
  static void checkWrite(String id, String where) {
    checkRead(id, where);
    if (id.indexOf('/') >= 0 || id.indexOf('\\') >= 0) {
      throw new BadArgumentException(where + ": item id '" + id + "' must not contain '/' or '\\'");
    }
  }

  /** Checks an id in a request path: the index's rules and no {@code ..}. */
  static void checkRead(String id, String where) {
    checkUnicode(id, where);
    RequestInput.check(where, () -> Names.checkId(id));
    if (id.contains("..")) {
      throw new BadArgumentException(where + ": item id '" + id + "' must not contain '..'");
    }
  }

  /**
   * 400 for an id that is not valid Unicode: a lone UTF-16 surrogate (which JSON's {@code \\ud800}
   * escape can carry) would become U+FFFD when stored, so two different ids would name one item.
   */
  static void checkUnicode(String id, String where) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < id.length()
          && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new BadArgumentException(
            where
                + ": item id has a lone UTF-16 surrogate (U+"
                + HexFormat.of().withUpperCase().toHexDigits(c)
                + ") at index "
                + i
                + "; ids must be valid Unicode");
      }
    }
  }
}
