package dev.bindery.indexer;

/**
 * Internal field names that both backends write on the documents an item is stored as: one item
 * document and one document per vector set (item-level or segment). Both backends read a hit from
 * these fields the same way, so they are named once here. Not part of the search API: user field
 * names cannot start with {@code _}, so none of these can clash with one.
 */
public final class ItemFields {
  /** {@link #KIND_ITEM} on item documents, {@link #KIND_VECTOR} on vector documents. */
  public static final String KIND = "_kind";

  public static final String KIND_ITEM = "item";
  public static final String KIND_VECTOR = "vec";

  /** The item's modality; indexed as one term, so at most {@link MetadataValues#MAX_TERM_BYTES}. */
  public static final String MODALITY = "_modality";

  public static final String SOURCE = "_source";

  /** The metadata map as written, JSON, stored on item documents. */
  public static final String META_JSON = "_meta";

  /** The text fields as written, JSON, stored on item documents. */
  public static final String TEXT_JSON = "_text";

  /** Segment index on vector documents; -1 for the item-level vectors. */
  public static final String SEGMENT = "_seg";

  public static final String SEG_START = "_start";
  public static final String SEG_END = "_end";
  public static final String SEG_TEXT = "_stext";

  private ItemFields() {}
}
