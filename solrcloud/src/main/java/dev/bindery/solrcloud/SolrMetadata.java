package dev.bindery.solrcloud;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.MetadataValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Typed metadata for Solr: inference, checks and conversion are {@link MetadataValues}, shared with
 * the embedded backend (so both reject the same values with the same messages, before anything is
 * sent); this class puts the values in the form Solr indexes and queries them.
 */
final class SolrMetadata {
  private SolrMetadata() {}

  /**
   * Every value of {@code value} converted for Solr: String, Long, Double, or Date (epoch ms).
   * Throws with the item, field and value when a value does not fit {@code type}, or when a keyword
   * is longer than {@link MetadataValues#MAX_TERM_BYTES}: Solr refuses a longer keyword only while
   * it adds the document, after Bindery recorded the batch's new field types. After this, Solr
   * cannot refuse the values.
   */
  static List<Object> solrValues(String itemId, String field, FieldType type, Object value) {
    List<Object> out = new ArrayList<>();
    for (Object indexed : MetadataValues.indexedValues(itemId, field, type, value)) {
      out.add(type == FieldType.DATE ? new Date((Long) indexed) : indexed);
    }
    return out;
  }

  /** A filter value as Solr query syntax understands it for {@code type}. */
  static String queryValue(String field, FieldType type, Object v) {
    Object indexed = MetadataValues.toIndexed(null, field, type, v);
    return switch (type) {
      case KEYWORD -> (String) indexed;
      case LONG -> Long.toString((Long) indexed);
      case DOUBLE -> Double.toString((Double) indexed);
      case DATE -> Instant.ofEpochMilli((Long) indexed).toString();
    };
  }
}
