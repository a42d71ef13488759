package dev.bindery.solrcloud;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Scores;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.VectorChecks;
import java.util.ArrayList;
import java.util.List;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * kNN on SolrCloud: Solr's {@code {!knn}} per shard with the filter as a pre-filter, collapsed by
 * item when grouping (asking again with a larger topK while collapsing leaves fewer than k items),
 * or {@code vectorSimilarity} over every vector document of the space for {@link SearchMode#EXACT}.
 * Solr's distributed sort (score, then item id) is Bindery's ranking order, so nothing is merged
 * here.
 */
final class SolrKnnSearch {
  private final SolrCluster cluster;
  private final SolrFilterSets sets;

  SolrKnnSearch(SolrCluster cluster, SolrFilterSets sets) {
    this.cluster = cluster;
    this.sets = sets;
  }

  SearchResult search(String collection, KnnQuery q) {
    CollectionState st = cluster.state(collection);
    SpaceConfig space = st.config().space(q.space());
    float[] vector = VectorChecks.prepare(space, q.vector(), "query vector");
    String field = SolrFields.vector(space.name());
    StringBuilder literal = new StringBuilder(vector.length * 12).append('[');
    for (int i = 0; i < vector.length; i++) {
      if (i > 0) {
        literal.append(',');
      }
      literal.append(vector[i]);
    }
    literal.append(']');
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.add("fq", SolrFields.VECTOR_FQ);
    if (q.filter() != null) {
      p.add("fq", sets.filterQuery(collection, st, q.filter(), p));
    }
    boolean collapse = q.groupByParent() && st.hasSegments();
    if (collapse) {
      // Post filter: not part of the kNN pre-filter. Exact per shard, since an item's documents
      // share a shard. Skipped while no item has segments: each item is one vector document.
      p.add("fq", "{!collapse field=" + SolrFields.PARENT + "}");
    }
    p.set("rows", q.k());
    p.set("sort", SolrFields.SORT);
    p.set("fl", SolrFields.HIT_FIELDS);
    // Vector scores need no term statistics, and k hits are few enough to fetch their fields
    // in the same round trip as their ids.
    p.set("distrib.statsCache", false);
    p.set("distrib.singlePass", true);
    String what = "kNN search in '" + collection + "'";
    boolean exact = q.mode() == SearchMode.EXACT;
    QueryResponse rsp;
    if (exact) {
      p.add("fq", "{!term f=" + SolrFields.SPACES + " v=$space}");
      p.set("space", space.name());
      p.set(
          "q",
          "{!func}vectorSimilarity(FLOAT32,"
              + Scores.luceneFunction(space.similarity())
              + ","
              + field
              + ","
              + literal
              + ")");
      rsp = cluster.query(collection, p, what);
    } else {
      int n = q.effectiveEf();
      long previous = -1;
      while (true) {
        p.set("q", "{!knn f=" + field + " topK=" + n + "}" + literal);
        rsp = cluster.query(collection, p, what);
        long found = rsp.getResults().getNumFound();
        // Grouping can leave fewer than k items when an item's segments crowd the per-shard
        // top-n: ask for more, until k items, no growth, or the cap.
        if (!collapse || found >= q.k() || n >= KnnQuery.MAX_K || found <= previous) {
          break;
        }
        previous = found;
        n = Math.min(KnnQuery.MAX_K, n * 2);
      }
    }
    List<Hit> hits = new ArrayList<>();
    for (SolrDocument d : rsp.getResults()) {
      float score = ((Number) d.getFirstValue("score")).floatValue();
      hits.add(SolrDocuments.toHit(d, Scores.userScore(space.similarity(), score)));
    }
    hits.sort(Hit.RANKING.thenComparingInt(h -> h.segment() == null ? -1 : h.segment().index()));
    return new SearchResult(
            hits.size() > q.k() ? hits.subList(0, q.k()) : hits,
            exact ? SearchResult.Strategy.EXACT : SearchResult.Strategy.HNSW,
            rsp.getResults().getNumFound(),
            st.shards(),
            exact ? st.shards() : 0,
            0)
        .atLeast(q.minScore());
  }
}
