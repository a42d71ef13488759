package dev.bindery.solrcloud;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bindery.indexer.ItemFields;
import dev.bindery.indexer.Names;
import dev.bindery.indexer.SchemaChecks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.ModifiableSolrParams;

/**
 * Named filter sets on SolrCloud and the filters that use them. A set's member ids live in one
 * document per generation; the collection property {@code set.<name>} names the current generation,
 * so a put switches readers over in one ZooKeeper write. Member lists are cached by collection, set
 * and generation (a Caffeine cache), so a set used again costs no request.
 */
final class SolrFilterSets {
  private static final int MAX_SET_CACHE = 64;

  private final SolrCluster cluster;
  private final Cache<String, List<String>> setMembers =
      Caffeine.newBuilder().maximumSize(MAX_SET_CACHE).executor(Runnable::run).build();

  SolrFilterSets(SolrCluster cluster) {
    this.cluster = cluster;
  }

  /** Forgets the cached member lists of a dropped collection. */
  void forget(String collection) {
    setMembers.asMap().keySet().removeIf(k -> k.startsWith(collection + "\u0000"));
  }

  String filterQuery(
      String collection,
      CollectionState st,
      dev.bindery.indexer.Filter filter,
      ModifiableSolrParams p) {
    CollectionState current = st;
    try {
      return SolrFilters.compile(filter, current.config(), n -> members(collection, n), p);
    } catch (IllegalArgumentException e) {
      // A field another writer added since the state was cached: read it again once.
      CollectionState fresh = cluster.freshState(collection);
      if (fresh.config().equals(st.config())) {
        throw e;
      }
      return SolrFilters.compile(filter, fresh.config(), n -> members(collection, n), p);
    }
  }

  private List<String> members(String collection, String set) {
    CollectionState st = cluster.state(collection);
    String gen = st.sets().get(set);
    if (gen == null) {
      st = cluster.freshState(collection);
      gen = st.sets().get(set);
    }
    if (gen == null) {
      throw SchemaChecks.unknownFilterSet(set, st.sets().keySet());
    }
    String key = collection + "\u0000" + set + "@" + gen;
    List<String> cached = setMembers.getIfPresent(key);
    if (cached != null) {
      return cached;
    }
    List<SolrDocument> docs =
        cluster.realtimeGet(collection, List.of(SolrFields.setDocId(set, gen)));
    if (docs.isEmpty()) {
      throw new IllegalStateException(
          "filter set '"
              + set
              + "' of '"
              + collection
              + "' lost its member list (generation "
              + gen
              + "); put the set again");
    }
    Collection<Object> values = docs.get(0).getFieldValues(SolrFields.SET_MEMBERS);
    List<String> ids = values == null ? List.of() : values.stream().map(String::valueOf).toList();
    setMembers.put(key, ids);
    return ids;
  }

  void putFilterSet(String collection, String name, Collection<String> ids) {
    Names.checkName("filter set", name);
    java.util.Objects.requireNonNull(ids, "ids");
    ids.forEach(Names::checkId);
    CollectionState st = cluster.freshState(collection);
    List<String> unique = new ArrayList<>(new TreeSet<>(ids));
    Set<String> found = new HashSet<>();
    for (SolrDocument d :
        cluster.realtimeGet(collection, unique.stream().map(SolrFields::itemDocId).toList())) {
      found.add((String) d.getFirstValue(SolrFields.PARENT));
    }
    List<String> missing = unique.stream().filter(i -> !found.contains(i)).toList();
    SchemaChecks.checkSetMembers(name, collection, missing);
    String gen =
        Long.toString(System.currentTimeMillis(), 36)
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    SolrInputDocument doc = new SolrInputDocument();
    doc.setField(SolrFields.ID, SolrFields.setDocId(name, gen));
    doc.setField(ItemFields.KIND, SolrFields.KIND_SET);
    doc.setField(SolrFields.SET_NAME, name);
    doc.setField(SolrFields.SET_MEMBERS, unique);
    UpdateRequest req = new UpdateRequest();
    req.add(doc);
    cluster.retrier.call(
        "writing filter set '" + name + "' of '" + collection + "'",
        () -> req.process(cluster.client, collection));
    // The property switches readers to the new list in one ZooKeeper write; the old list goes
    // after. A crash in between leaves an unused document, never a half-written set.
    cluster.setProperty(collection, SolrFields.PROP_SET + name, gen);
    String previous = st.sets().get(name);
    if (previous != null && !previous.equals(gen)) {
      deleteSetDoc(collection, name, previous);
    }
  }

  private void deleteSetDoc(String collection, String name, String gen) {
    UpdateRequest del = new UpdateRequest();
    del.deleteById(SolrFields.setDocId(name, gen));
    cluster.retrier.call(
        "removing an old list of filter set '" + name + "'",
        () -> del.process(cluster.client, collection));
  }

  boolean deleteFilterSet(String collection, String name) {
    Names.checkName("filter set", name);
    CollectionState st = cluster.freshState(collection);
    String gen = st.sets().get(name);
    if (gen == null) {
      return false;
    }
    cluster.setProperty(collection, SolrFields.PROP_SET + name, null);
    deleteSetDoc(collection, name, gen);
    return true;
  }
}
