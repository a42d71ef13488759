package dev.bindery.solrcloud;

import dev.bindery.indexer.Hit;
import dev.bindery.indexer.SchemaChecks;
import dev.bindery.indexer.SearchResult;
import dev.bindery.indexer.TextQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.client.solrj.util.ClientUtils;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * BM25 on SolrCloud over the collection's text fields (and the segment texts when no field is
 * named), with the same analyzer as the embedded backend so scores agree. User words are escaped
 * one by one, so no query syntax survives.
 */
final class SolrTextSearch {
  private final SolrCluster cluster;
  private final SolrFilterSets sets;

  SolrTextSearch(SolrCluster cluster, SolrFilterSets sets) {
    this.cluster = cluster;
    this.sets = sets;
  }

  SearchResult search(String collection, TextQuery q) {
    CollectionState st = cluster.state(collection);
    List<String> fields = new ArrayList<>();
    SchemaChecks.textFields(q, st.textFields(), collection)
        .forEach(f -> fields.add(SolrFields.text(f)));
    if (q.fields().isEmpty()) {
      fields.add(SolrFields.SEGMENTS_TEXT);
    }
    // Words are escaped one by one, so no query syntax survives; lower case keeps AND/OR/NOT
    // from being operators (the analyzer lower-cases anyway).
    String words =
        java.util.Arrays.stream(q.query().toLowerCase(Locale.ROOT).trim().split("\\s+"))
            .map(ClientUtils::escapeQueryChars)
            .collect(Collectors.joining(" "));
    ModifiableSolrParams p = new ModifiableSolrParams();
    p.set(
        "q", fields.stream().map(f -> f + ":(" + words + ")").collect(Collectors.joining(" OR ")));
    p.set("defType", "lucene");
    p.set("q.op", "OR");
    p.add("fq", SolrFields.ITEM_FQ);
    if (q.filter() != null) {
      p.add("fq", sets.filterQuery(collection, st, q.filter(), p));
    }
    p.set("rows", q.k());
    p.set("sort", SolrFields.SORT);
    p.set("fl", SolrFields.HIT_FIELDS);
    p.set("distrib.singlePass", true);
    QueryResponse rsp = cluster.query(collection, p, "text search in '" + collection + "'");
    List<Hit> hits = new ArrayList<>();
    for (SolrDocument d : rsp.getResults()) {
      hits.add(SolrDocuments.toHit(d, ((Number) d.getFirstValue("score")).floatValue()));
    }
    hits.sort(Hit.RANKING);
    return new SearchResult(
            hits, SearchResult.Strategy.BM25, rsp.getResults().getNumFound(), st.shards(), 0, 0)
        .atLeast(q.minScore());
  }
}
