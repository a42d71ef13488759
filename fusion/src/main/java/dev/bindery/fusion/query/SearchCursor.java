package dev.bindery.fusion.query;

import dev.bindery.indexer.BadArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Where the previous page of a search ended: search-after on the ranking (score descending, id
 * ascending), so the next page starts strictly after the last hit shown and never repeats one.
 * Opaque to callers: {@link #encode()} gives a URL-safe string, {@link #decode} reads it back and
 * rejects anything else with the reason.
 *
 * @param score the last hit's score
 * @param id the last hit's id (the tie-break)
 * @param position hits shown so far (the next page's depth starts here)
 * @param legDepth hits each leg fetched for the first page, kept so later pages of a fused query
 *     fuse the same candidates (fused scores depend on how deep the legs go)
 * @param fingerprint of the query and options the cursor was issued for
 */
public record SearchCursor(double score, String id, int position, int legDepth, int fingerprint) {
  private static final String VERSION = "c1";

  public SearchCursor {
    Objects.requireNonNull(id, "id");
    if (!Double.isFinite(score)) {
      throw new BadArgumentException("cursor score must be finite, got " + score);
    }
    if (position < 1 || legDepth < 1) {
      throw new BadArgumentException(
          "cursor position and depth must be >= 1, got " + position + ", " + legDepth);
    }
  }

  /** True when {@code score, id} ranks strictly after this cursor. */
  public boolean before(double otherScore, String otherId) {
    int c = Double.compare(otherScore, score);
    return c < 0 || (c == 0 && otherId.compareTo(id) > 0);
  }

  /** The opaque, URL-safe form. */
  public String encode() {
    // Double.toString round-trips exactly, so the next page cuts at the very same score.
    String plain =
        VERSION
            + "\n"
            + Double.toString(score)
            + "\n"
            + position
            + "\n"
            + legDepth
            + "\n"
            + Integer.toHexString(fingerprint)
            + "\n"
            + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a cursor made by {@link #encode()}. */
  public static SearchCursor decode(String cursor) {
    Objects.requireNonNull(cursor, "cursor");
    String excerpt = cursor.length() > 40 ? cursor.substring(0, 40) + "..." : cursor;
    try {
      String plain =
          new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
      String[] parts = plain.split("\n", 6);
      if (parts.length != 6 || !parts[0].equals(VERSION)) {
        throw new BadArgumentException("not a cursor of this server");
      }
      return new SearchCursor(
          Double.parseDouble(parts[1]),
          parts[5],
          Integer.parseInt(parts[2]),
          Integer.parseInt(parts[3]),
          Integer.parseUnsignedInt(parts[4], 16));
    } catch (IllegalArgumentException e) {
      throw new BadArgumentException(
          "cursor '"
              + excerpt
              + "' is not valid ("
              + e.getMessage()
              + "); pass the next_cursor of the previous page unchanged",
          e);
    }
  }

  @Override
  public String toString() {
    return "SearchCursor[after=(" + score + ", " + id + "), position=" + position + "]";
  }
}
