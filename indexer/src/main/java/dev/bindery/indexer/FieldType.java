package dev.bindery.indexer;

import java.util.Arrays;
import java.util.Locale;

/** Type of a metadata field: decides how values are checked, indexed for filters and returned. */
public enum FieldType {
  /** Exact-match string (tags, tenants, categories). */
  KEYWORD("keyword"),
  /** 64-bit integer; range filters. */
  LONG("long"),
  /** 64-bit float; range filters. */
  DOUBLE("double"),
  /** An instant, given as ISO-8601 text ({@code 2024-05-01} or {@code 2024-05-01T10:00:00Z}). */
  DATE("date");

  private final String wireName;

  FieldType(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in JSON and the collection file. */
  public String wireName() {
    return wireName;
  }

  /** Parses a wire name, rejecting unknown ones. */
  public static FieldType fromName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (FieldType t : values()) {
      if (t.wireName.equals(n)) {
        return t;
      }
    }
    throw new BadArgumentException(
        "unknown metadata field type '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(FieldType::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
