package dev.bindery.server.http.auth;

import java.util.Arrays;
import java.util.Locale;

/**
 * What an API key may do. Scopes nest: {@link #WRITE} includes {@link #READ}, {@link #ADMIN}
 * includes both.
 */
public enum Scope {
  /** List and describe collections, get items and their content, search, ask. */
  READ,
  /** Also add and delete items. */
  WRITE,
  /** Also create and drop collections, and read {@code /metrics}. */
  ADMIN;

  /** The name used in key files, on the command line and in errors. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True if a key of this scope may do what {@code needed} allows. */
  public boolean includes(Scope needed) {
    return compareTo(needed) >= 0;
  }

  /** Parses {@code read}, {@code write} or {@code admin}, rejecting anything else. */
  public static Scope fromName(String name) {
    return fromName(name, null);
  }

  /**
   * {@link #fromName(String)} for a name read at {@code where} (a file and entry), which the
   * refusal's message starts with; null: no place.
   */
  public static Scope fromName(String name, String where) {
    if (name != null) {
      for (Scope s : values()) {
        if (s.wireName().equals(name.trim().toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException(
        (where == null ? "" : where + ": ")
            + "unknown scope '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(Scope::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName();
  }
}
