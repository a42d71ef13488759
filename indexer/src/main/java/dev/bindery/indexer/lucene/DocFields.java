package dev.bindery.indexer.lucene;

import dev.bindery.indexer.ItemFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Lucene field names of the embedded backend. Every item is a block of documents: one vector
 * document per item-level vector set and per segment, then the item (parent) document last, as
 * Lucene's block join expects. User names cannot start with '_', so internal names never clash.
 */
final class DocFields {
  /** Item id, indexed on every document of the block so one term deletes the whole block. */
  static final String ID = "_id";

  /** Item id as sorted doc values on parents only (Lucene wants one schema per field name). */
  static final String ID_VALUES = "_idv";

  /** Stable per-item ordinal (doc values on parents): what filter-set bitmaps hold. */
  static final String ORD = "_ord";

  /**
   * Binary doc values with what a hit shows, on item and vector documents written since it was
   * added (see {@link HitDocValues}); older documents are read from their stored fields.
   */
  static final String HIT = "_hit";

  /** Commit user-data key holding the next item ordinal. */
  static final String NEXT_ORD = "bindery.nextOrd";

  /** All item (parent) documents. */
  static final Query ITEMS = new TermQuery(new Term(ItemFields.KIND, ItemFields.KIND_ITEM));

  /** All vector documents. */
  static final Query VECTORS = new TermQuery(new Term(ItemFields.KIND, ItemFields.KIND_VECTOR));

  private DocFields() {}

  /** Lucene field of a vector space. */
  static String vector(String space) {
    return "v." + space;
  }

  /** Lucene field of a BM25 text field. */
  static String text(String field) {
    return "t." + field;
  }

  /** Lucene field of a metadata field. */
  static String meta(String field) {
    return "m." + field;
  }

  /** Text field that holds the concatenated segment texts of an item. */
  static final String SEGMENTS_TEXT = "t._segments";
}
