package dev.bindery.indexer.lucene;

import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.SchemaChecks;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import dev.bindery.indexer.lucene.HitLoader.Candidate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.join.BitSetProducer;
import org.apache.lucene.util.QueryBuilder;

/**
 * BM25 over a collection's text fields (and the concatenated segment texts when no field is named),
 * with ties at the k-th score ranked by item id as the contract says. Stateless apart from the
 * analyzer, which is the one the writer indexes with; safe for concurrent searches.
 */
final class TextSearch {
  /** Most documents tied at the k-th score that text search ranks by id; beyond, by doc order. */
  static final int MAX_TIE_SCAN = 10_000;

  private final Analyzer analyzer;
  private final BitSetProducer parents;

  TextSearch(Analyzer analyzer, BitSetProducer parents) {
    this.analyzer = analyzer;
    this.parents = parents;
  }

  /**
   * Runs {@code q} on {@code s}.
   *
   * @param items the item documents that may match (all items, or those passing the filter)
   */
  SearchResult search(IndexSearcher s, TextQuery q, Query items, String collection)
      throws IOException {
    FieldInfos infos = FieldInfos.getMergedFieldInfos(s.getIndexReader());
    Set<String> known = new TreeSet<>();
    for (FieldInfo fi : infos) {
      if (fi.name.startsWith("t.") && !fi.name.equals(DocFields.SEGMENTS_TEXT)) {
        known.add(fi.name.substring(2));
      }
    }
    List<String> fields = new ArrayList<>();
    SchemaChecks.textFields(q, known, collection).forEach(f -> fields.add(DocFields.text(f)));
    if (q.fields().isEmpty() && infos.fieldInfo(DocFields.SEGMENTS_TEXT) != null) {
      fields.add(DocFields.SEGMENTS_TEXT);
    }
    QueryBuilder qb = new QueryBuilder(analyzer);
    BooleanQuery.Builder any = new BooleanQuery.Builder();
    boolean anyTerms = false;
    for (String f : fields) {
      Query fq = qb.createBooleanQuery(f, q.query(), BooleanClause.Occur.SHOULD);
      if (fq != null) {
        any.add(fq, BooleanClause.Occur.SHOULD);
        anyTerms = true;
      }
    }
    if (!anyTerms && !fields.isEmpty()) {
      throw new BadArgumentException(
          "text query '" + q.query() + "' has no searchable words after analysis");
    }
    Query query =
        new BooleanQuery.Builder()
            .add(any.build(), BooleanClause.Occur.MUST)
            .add(items, BooleanClause.Occur.FILTER)
            .build();
    TopDocs td = topWithTies(s, query, q.k());
    Candidate[] found = new Candidate[td.scoreDocs.length];
    for (int i = 0; i < found.length; i++) {
      found[i] = new Candidate(td.scoreDocs[i].doc, td.scoreDocs[i].score);
    }
    List<Hit> hits = new ArrayList<>(new HitLoader(s, parents).load(found));
    hits.sort(Hit.RANKING);
    if (hits.size() > q.k()) {
      hits = List.copyOf(hits.subList(0, q.k()));
    }
    return new SearchResult(
        hits,
        SearchResult.Strategy.BM25,
        td.totalHits.value(),
        s.getIndexReader().leaves().size(),
        0,
        0);
  }

  /**
   * The top {@code k} documents plus every document tied with the k-th score (up to {@link
   * #MAX_TIE_SCAN}), so that ties at the cut are ranked by item id as the contract says, not by
   * Lucene's doc order: the search is repeated with twice as many hits while the last one still
   * ties.
   */
  private static TopDocs topWithTies(IndexSearcher s, Query query, int k) throws IOException {
    int n = k;
    TopDocs td = s.search(query, n);
    while (td.scoreDocs.length == n && n < MAX_TIE_SCAN) {
      float kth = td.scoreDocs[k - 1].score;
      if (td.scoreDocs[n - 1].score < kth) {
        break;
      }
      n = Math.min(MAX_TIE_SCAN, n * 2);
      td = s.search(query, n);
    }
    if (td.scoreDocs.length <= k) {
      return td;
    }
    float kth = td.scoreDocs[k - 1].score;
    int keep = k;
    while (keep < td.scoreDocs.length && td.scoreDocs[keep].score == kth) {
      keep++;
    }
    return new TopDocs(td.totalHits, Arrays.copyOf(td.scoreDocs, keep));
  }
}
