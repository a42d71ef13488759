package dev.bindery.indexer.lucene;

import dev.bindery.indexer.FieldType;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.MetadataValues;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/**
 * Typed metadata in Lucene: the fields of a value and the filter queries over them. Inference,
 * checks and conversion are {@link MetadataValues}, shared with the SolrCloud backend; a batch's
 * items pass {@link dev.bindery.indexer.ItemChecks} before {@link #addTo} sees them.
 */
final class MetadataFields {
  private MetadataFields() {}

  /** Adds the filterable fields of one metadata field to a parent document. */
  static void addTo(Document doc, String itemId, String field, FieldType type, Object value) {
    String name = DocFields.meta(field);
    for (Object indexed : MetadataValues.indexedValues(itemId, field, type, value)) {
      switch (type) {
        case KEYWORD -> {
          String s = (String) indexed;
          doc.add(new StringField(name, s, Field.Store.NO));
          doc.add(new SortedSetDocValuesField(name, new BytesRef(s)));
        }
        case LONG, DATE -> {
          long l = (Long) indexed;
          doc.add(new LongPoint(name, l));
          doc.add(new SortedNumericDocValuesField(name, l));
        }
        case DOUBLE -> {
          double d = (Double) indexed;
          doc.add(new DoublePoint(name, d));
          doc.add(new SortedNumericDocValuesField(name, NumericUtils.doubleToSortableLong(d)));
        }
      }
    }
  }

  /** Query for {@code field == value}. */
  static Query termQuery(Filter.Term t, FieldType type) {
    String name = DocFields.meta(t.field());
    Object v = MetadataValues.toIndexed(null, t.field(), type, t.value());
    return switch (type) {
      case KEYWORD -> new TermQuery(new Term(name, (String) v));
      case LONG, DATE -> LongPoint.newExactQuery(name, (Long) v);
      case DOUBLE -> DoublePoint.newExactQuery(name, (Double) v);
    };
  }

  /** Query for {@code from <= field <= to}; a null bound is open. */
  static Query rangeQuery(Filter.Range r, FieldType type) {
    String name = DocFields.meta(r.field());
    return switch (type) {
      case KEYWORD ->
          TermRangeQuery.newStringRange(
              name, (String) bound(r, type, r.from()), (String) bound(r, type, r.to()), true, true);
      case LONG, DATE -> {
        Long from = (Long) bound(r, type, r.from());
        Long to = (Long) bound(r, type, r.to());
        yield LongPoint.newRangeQuery(
            name, from == null ? Long.MIN_VALUE : from, to == null ? Long.MAX_VALUE : to);
      }
      case DOUBLE -> {
        Double from = (Double) bound(r, type, r.from());
        Double to = (Double) bound(r, type, r.to());
        yield DoublePoint.newRangeQuery(
            name,
            from == null ? Double.NEGATIVE_INFINITY : from,
            to == null ? Double.POSITIVE_INFINITY : to);
      }
    };
  }

  private static Object bound(Filter.Range r, FieldType type, Object b) {
    return b == null ? null : MetadataValues.toIndexed(null, r.field(), type, b);
  }
}
