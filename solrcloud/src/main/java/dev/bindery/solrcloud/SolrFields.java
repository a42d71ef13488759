package dev.bindery.solrcloud;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.ItemFields;

/**
 * Solr field names and document ids of the SolrCloud backend. Every item is a group of flat Solr
 * documents: one item document (holding the item-level vectors, if any) and one per segment. They
 * share a compositeId route key derived from the item id, so an item lives on one shard and
 * collapse-by-parent is exact there.
 *
 * <p>User names ({@code [A-Za-z0-9_.-]}) are encoded into {@code [A-Za-z0-9_]} ({@code _} becomes
 * {@code __}, {@code .} becomes {@code _d}, {@code -} becomes {@code _h}) so that every query
 * parser accepts them; the encoding is injective, so two user names never share a Solr field.
 * Internal fields start with {@code _}, which an encoded user name never does.
 */
final class SolrFields {
  static final String ID = "id";
  static final String VERSION = "_version_";

  /** {@link ItemFields#KIND} of filter-set documents (which only this backend has). */
  static final String KIND_SET = "set";

  /** The item id, on the item document and its vector documents (collapse and get key). */
  static final String PARENT = "_parent";

  /** Names of the spaces a vector document has a vector for (exact search filters on it). */
  static final String SPACES = "_spaces";

  /** On item documents: number of segments (so their ids can be derived). */
  static final String SEGMENT_COUNT = "_nseg";

  /** BM25 field holding the concatenated segment texts of an item. */
  static final String SEGMENTS_TEXT = "_segtext";

  /** Filter-set documents: the set name and its member item ids. */
  static final String SET_NAME = "_set";

  static final String SET_MEMBERS = "_members";

  /** Route key of filter-set documents (they all live on one shard). */
  static final String SET_ROUTE = "_sets";

  private SolrFields() {}

  /** Solr field of a vector space. */
  static String vector(String space) {
    return "v_" + encode(space);
  }

  /** Solr field type of a vector space. */
  static String vectorType(String space) {
    return "knn_" + encode(space);
  }

  /** Solr field of a BM25 text field. */
  static String text(String field) {
    return "t_" + encode(field);
  }

  /** Solr field of a metadata field of the given type (a dynamic field by prefix). */
  static String meta(String field, FieldType type) {
    return metaPrefix(type) + encode(field);
  }

  static String metaPrefix(FieldType type) {
    return switch (type) {
      case KEYWORD -> "mk_";
      case LONG -> "ml_";
      case DOUBLE -> "md_";
      case DATE -> "mt_";
    };
  }

  /** Encodes a user name ({@code [A-Za-z0-9_.-]}) into {@code [A-Za-z0-9_]}, injectively. */
  static String encode(String name) {
    StringBuilder b = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      switch (c) {
        case '_' -> b.append("__");
        case '.' -> b.append("_d");
        case '-' -> b.append("_h");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ document ids

  /**
   * Escapes the characters that mean something in a compositeId ({@code !}, {@code /}) or in a
   * real-time-get id list ({@code ,}, {@code \}), and {@code %} itself, as %XX. Injective.
   */
  static String escapeId(String id) {
    StringBuilder b = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      String rep =
          switch (c) {
            case '%' -> "%25";
            case '!' -> "%21";
            case '/' -> "%2F";
            case ',' -> "%2C";
            case '\\' -> "%5C";
            default -> null;
          };
      if (rep != null && b == null) {
        b = new StringBuilder(id.length() + 8).append(id, 0, i);
      }
      if (b != null) {
        if (rep != null) {
          b.append(rep);
        } else {
          b.append(c);
        }
      }
    }
    return b == null ? id : b.toString();
  }

  /** The route key of an item: every document of the item carries it before the '!'. */
  static String routeKey(String itemId) {
    return escapeId(itemId);
  }

  /** Solr id of an item's item document. */
  static String itemDocId(String itemId) {
    String e = escapeId(itemId);
    return e + "!i|" + e;
  }

  /** Solr id of an item's segment document. */
  static String vectorDocId(String itemId, int segment) {
    String e = escapeId(itemId);
    return e + "!v|" + segment + "|" + e;
  }

  /** Solr id of one generation of a filter set's document. */
  static String setDocId(String setName, String generation) {
    return SET_ROUTE + "!s|" + setName + "|" + generation;
  }

  /** Collection property holding the collection's creation config (spaces, declared fields). */
  static final String PROP_CONFIG = "bindery.config";

  /** Filter query for item documents. */
  static final String ITEM_FQ = "{!term f=" + ItemFields.KIND + "}" + ItemFields.KIND_ITEM;

  /** Filter query for vector documents. */
  static final String VECTOR_FQ = "{!term f=" + ItemFields.KIND + "}" + ItemFields.KIND_VECTOR;

  /** The fields a hit is built from ({@link SolrDocuments#toHit}). */
  static final String HIT_FIELDS =
      String.join(
          ",",
          ID,
          "score",
          PARENT,
          ItemFields.SEGMENT,
          ItemFields.SEG_START,
          ItemFields.SEG_END,
          ItemFields.MODALITY,
          ItemFields.SOURCE,
          ItemFields.META_JSON);

  /** Bindery's ranking (score desc, item id asc), then the document id for segment hits. */
  static final String SORT = "score desc," + PARENT + " asc,id asc";

  /** Collection property prefix of inferred metadata field types. */
  static final String PROP_FIELD = "bindery.field.";

  /** Collection property prefix of the text fields the collection has seen. */
  static final String PROP_TEXT = "bindery.text.";

  /**
   * Collection property set once any item has segments: until then an item has at most one vector
   * document and kNN needs no collapse by item.
   */
  static final String PROP_SEGMENTS = "bindery.segments";

  /** Collection property prefix of application settings ({@code putCollectionSetting}). */
  static final String PROP_APP = "bindery.app.";

  /** Collection property prefix of filter sets: the value is the set's current generation. */
  static final String PROP_SET = "bindery.set.";
}
