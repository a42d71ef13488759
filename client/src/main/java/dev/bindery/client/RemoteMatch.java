package dev.bindery.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A search hit together with its stored item, as {@link BinderyClient#searchWithItems} answers.
 *
 * @param hit the hit (id, score, metadata as stored)
 * @param item the item read after the search (texts, and vectors when asked for)
 */
public record RemoteMatch(RemoteHit hit, RemoteItem item) {
  /**
   * The metadata field the server adds to every item it ingests (the SHA-256 of the item's content,
   * for idempotent re-runs); not the user's metadata.
   */
  public static final String SERVER_CONTENT_HASH = "content_sha256";

  public RemoteMatch {
    Objects.requireNonNull(hit, "hit");
    Objects.requireNonNull(item, "item");
  }

  /** The hit's metadata as the user wrote it: without the server's {@link #SERVER_CONTENT_HASH}. */
  public Map<String, Object> userMetadata() {
    Map<String, Object> m = new LinkedHashMap<>(hit.metadata());
    m.remove(SERVER_CONTENT_HASH);
    return m;
  }
}
