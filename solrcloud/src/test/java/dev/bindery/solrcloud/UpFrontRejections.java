package dev.bindery.solrcloud;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Items that both backends must reject before anything of their batch is written, each with the
 * exact message the embedded backend gives (its ImmenseTermTest and InstantMetadataTest cases). The
 * messages were taken from LuceneBackend.upsert on this same collection; this module cannot run the
 * embedded backend itself (Solr 9 brings Lucene 9, the embedded backend needs Lucene 10).
 */
final class UpFrontRejections {
  static final int LIMIT = 32_766;
  static final Instant SHOT = Instant.parse("2024-05-01T10:00:00Z");

  private static final String DATE_RANGE =
      "is out of range: dates are indexed as epoch milliseconds, from"
          + " -292275055-05-16T16:47:04.192Z to +292278994-08-17T07:12:55.807Z";
  private static final String DATE_HINT =
      "; dates must be java.time.Instant or ISO-8601 text (2024-05-01, 2024-05-01T10:00:00Z)";

  private UpFrontRejections() {}

  /** One bad item and the message its batch is rejected with. */
  record Case(Item bad, String message) {
    @Override
    public String toString() {
      return message.length() > 90 ? message.substring(0, 90) + "..." : message;
    }
  }

  /** The collection the cases are written against: colour is a keyword, taken a date. */
  static CollectionConfig config(String name) {
    return new CollectionConfig(
        name,
        Map.of("e", SpaceConfig.of("e", 4, Similarity.COSINE)),
        Map.of("colour", FieldType.KEYWORD, "taken", FieldType.DATE));
  }

  /** The item the collection holds before the cases; case items that replace it must not. */
  static Item existing() {
    return Item.builder("existing", "image")
        .vector("e", new float[] {1, 0, 0, 0})
        .meta("colour", "red")
        .meta("taken", "2020-01-01")
        .build();
  }

  /** A good item that also brings a new (inferred) field and a new text field. */
  static Item good(String id) {
    return Item.builder(id, "image")
        .vector("e", new float[] {0, 1, 0, 0})
        .meta("colour", "blue")
        .meta("tags", List.of("a", "b"))
        .text("caption", "good " + id)
        .build();
  }

  static Item withMeta(String id, String field, Object value) {
    return Item.builder(id, "image")
        .vector("e", new float[] {0, 0, 1, 0})
        .meta(field, value)
        .build();
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    cases.add(
        new Case(
            withMeta("bad", "notes", "x".repeat(40_000)),
            "item 'bad': metadata field 'notes' value is 40,000 UTF-8 bytes; keyword values are"
                + " limited to 32,766 (Lucene's term limit); the value starts with '"
                + "x".repeat(64)
                + "... (40000 characters)'"));
    cases.add(
        new Case(
            withMeta("bad", "colour", List.of("red", "y".repeat(LIMIT + 1))),
            "item 'bad': metadata field 'colour' value is 32,767 UTF-8 bytes; keyword values are"
                + " limited to 32,766 (Lucene's term limit); the value starts with '"
                + "y".repeat(64)
                + "... (32767 characters)'"));
    // Bytes, not characters: 16,384 two-byte characters, then 8,192 four-byte ones.
    cases.add(
        new Case(
            withMeta("bad", "notes", "\u00e9".repeat(16_384)),
            "item 'bad': metadata field 'notes' value is 32,768 UTF-8 bytes; keyword values are"
                + " limited to 32,766 (Lucene's term limit); the value starts with '"
                + "\u00e9".repeat(64)
                + "... (16384 characters)'"));
    cases.add(
        new Case(
            withMeta("bad", "notes", "\uD83D\uDE00".repeat(LIMIT / 4 + 1)),
            "item 'bad': metadata field 'notes' value is 32,768 UTF-8 bytes; keyword values are"
                + " limited to 32,766 (Lucene's term limit); the value starts with '"
                + "\uD83D\uDE00".repeat(32)
                + "... (16384 characters)'"));
    cases.add(
        new Case(
            withMeta("existing", "colour", "z".repeat(50_000)),
            "item 'existing': metadata field 'colour' value is 50,000 UTF-8 bytes; keyword values"
                + " are limited to 32,766 (Lucene's term limit); the value starts with '"
                + "z".repeat(64)
                + "... (50000 characters)'"));
    cases.add(
        new Case(
            Item.builder("bad", "m".repeat(40_000)).vector("e", new float[] {1, 1, 0, 0}).build(),
            "item 'bad': modality is 40,000 UTF-8 bytes; it is indexed as one term, limited to"
                + " 32,766"));
    cases.add(
        new Case(
            withMeta("bad", "shot", Instant.MAX),
            "item 'bad': metadata field 'shot' (date) '+1000000000-12-31T23:59:59.999999999Z' "
                + DATE_RANGE));
    cases.add(
        new Case(
            withMeta("bad", "taken", List.of(SHOT, Instant.MIN)),
            "item 'bad': metadata field 'taken' (date) '-1000000000-01-01T00:00:00Z' "
                + DATE_RANGE));
    cases.add(
        new Case(
            withMeta("bad", "taken", "+1000000000-01-01T00:00:00Z"),
            "item 'bad': metadata field 'taken' (date) '+1000000000-01-01T00:00:00Z' "
                + DATE_RANGE));
    cases.add(
        new Case(
            withMeta("bad", "day", LocalDate.of(2024, 5, 1)),
            "item 'bad': metadata field 'day' has a value of unsupported type LocalDate"
                + DATE_HINT));
    cases.add(
        new Case(
            withMeta("bad", "when", ZonedDateTime.parse("2024-05-01T10:00:00+02:00[Europe/Paris]")),
            "item 'bad': metadata field 'when' has a value of unsupported type ZonedDateTime"
                + DATE_HINT));
    Date epoch = new Date(0);
    cases.add(
        new Case(
            withMeta("bad", "taken", epoch),
            "item 'bad': metadata field 'taken' is of type date but got Date value '"
                + epoch
                + "'"
                + DATE_HINT));
    cases.add(
        new Case(
            withMeta("bad", "taken", List.of(SHOT, LocalDate.of(2024, 5, 1))),
            "item 'bad': metadata field 'taken' is of type date but got LocalDate value"
                + " '2024-05-01'"
                + DATE_HINT));
    cases.add(
        new Case(
            withMeta("bad", "labels", List.of()),
            "item 'bad': metadata field 'labels' is an empty list; its type cannot be told"));
    return cases;
  }
}
