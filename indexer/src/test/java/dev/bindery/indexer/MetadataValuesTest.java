package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract's term limit and byte count against Lucene's own, and the typed refusals: an item's
 * value the index cannot hold is unprocessable (422), a filter value a bad argument (400).
 */
class MetadataValuesTest {

  @Test
  void termLimitIsLucenes() {
    assertEquals(IndexWriter.MAX_TERM_LENGTH, MetadataValues.MAX_TERM_BYTES);
  }

  @Test
  void termBytesCountLikeLuceneEncodes() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    char[] pool = {'a', 'é', '中', '\uD83D', '\uDE00', '\u0000', '\uFFFF', 'z'};
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(12);
      for (int i = 0; i < len; i++) {
        b.append(pool[r.nextInt(pool.length)]);
      }
      String s = b.toString();
      String at = "seed " + seed + ", string " + s.codePoints().boxed().toList();
      assertEquals(
          UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length()), MetadataValues.termBytes(s), at);
      assertEquals(new BytesRef(s).length, MetadataValues.termBytes(s), at);
    }
  }

  /** The exact type {@code run} throws, with its message. */
  private static BadArgumentException refused(
      Class<? extends BadArgumentException> type, String message, Executable run) {
    BadArgumentException e = assertThrows(BadArgumentException.class, run);
    assertEquals(type, e.getClass(), e.toString());
    assertEquals(message, e.getMessage());
    return e;
  }

  @Test
  void aNonFiniteDoubleIsRefusedTyped() {
    refused(
        UnprocessableException.class,
        "item 'i': metadata field 'score' (double) is not finite: NaN",
        () -> MetadataValues.indexedValues("i", "score", FieldType.DOUBLE, Double.NaN));
    refused(
        BadArgumentException.class,
        "filter: metadata field 'score' (double) is not finite: Infinity",
        () -> MetadataValues.toIndexed(null, "score", FieldType.DOUBLE, Double.POSITIVE_INFINITY));
  }

  @Test
  void aBadDateIsRefusedTypedWithItsParseError() {
    BadArgumentException item =
        refused(
            UnprocessableException.class,
            "item 'i': metadata field 'when' (date) needs ISO-8601 like 2024-05-01 or"
                + " 2024-05-01T10:00:00Z, got 'yesterday'",
            () -> MetadataValues.indexedValues("i", "when", FieldType.DATE, "yesterday"));
    assertTrue(item.getCause() instanceof DateTimeParseException, item.toString());
    refused(
        BadArgumentException.class,
        "filter: metadata field 'when' (date) needs ISO-8601 like 2024-05-01 or"
            + " 2024-05-01T10:00:00Z, got '2024-13-45'",
        () -> MetadataValues.parseDate(null, "when", "2024-13-45"));
    BadArgumentException far =
        refused(
            UnprocessableException.class,
            "item 'i': metadata field 'when' (date) '"
                + Instant.MAX
                + "' is out of"
                + " range: dates are indexed as epoch milliseconds, from "
                + Instant.ofEpochMilli(Long.MIN_VALUE)
                + " to "
                + Instant.ofEpochMilli(Long.MAX_VALUE),
            () -> MetadataValues.indexedValues("i", "when", FieldType.DATE, Instant.MAX));
    assertTrue(far.getCause() instanceof ArithmeticException, far.toString());
  }

  @Test
  void anOverLongKeywordOrModalityIsUnprocessable() {
    char[] a = new char[MetadataValues.MAX_TERM_BYTES + 1];
    Arrays.fill(a, 'a');
    String longer = new String(a);
    BadArgumentException e =
        refused(
            UnprocessableException.class,
            "item 'i': metadata field 'tag' value is 32,767 UTF-8 bytes; keyword values are"
                + " limited to 32,766 (Lucene's term limit); the value starts with '"
                + longer.substring(0, 64)
                + "... (32767 characters)'",
            () ->
                MetadataValues.indexedValues("i", "tag", FieldType.KEYWORD, List.of("x", longer)));
    assertNull(e.getCause());
    refused(
        UnprocessableException.class,
        "item 'i': modality is 32,767 UTF-8 bytes; it is indexed as one term, limited to 32,766",
        () -> MetadataValues.checkModality("i", longer));
  }

  @Test
  void nullsEmptyListsAndUnsupportedTypesAreUnprocessable() {
    refused(
        UnprocessableException.class,
        "item 'i': metadata field 'tags' holds a null value",
        () ->
            MetadataValues.indexedValues("i", "tags", FieldType.KEYWORD, Arrays.asList("a", null)));
    refused(
        UnprocessableException.class,
        "item 'i': metadata field 'tags' is an empty list; its type cannot be told",
        () -> MetadataValues.infer("i", "tags", List.of()));
    refused(
        UnprocessableException.class,
        "item 'i': metadata field 'blob' has a value of unsupported type object",
        () -> MetadataValues.infer("i", "blob", java.util.Map.of("a", 1)));
  }
}
