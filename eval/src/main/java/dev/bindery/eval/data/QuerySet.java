package dev.bindery.eval.data;

import java.util.List;
import java.util.Objects;

/**
 * Queries that search one corpus, e.g. {@code text->image}: every caption searches all images.
 *
 * @param name the set's name, as regression files refer to it
 * @param corpus ids of the dataset items that are indexed and searched
 * @param queries the queries; every relevant id is in the corpus
 */
public record QuerySet(String name, List<String> corpus, List<EvalQuery> queries) {

  public QuerySet {
    Objects.requireNonNull(name, "name");
    corpus = List.copyOf(corpus);
    queries = List.copyOf(queries);
    java.util.Set<String> inCorpus = new java.util.HashSet<>(corpus);
    if (inCorpus.size() != corpus.size()) {
      throw new IllegalArgumentException("query set '" + name + "': corpus names an id twice");
    }
    for (EvalQuery q : queries) {
      for (String id : q.judgments().grades().keySet()) {
        if (!inCorpus.contains(id)) {
          throw new IllegalArgumentException(
              "query set '"
                  + name
                  + "': query '"
                  + q.id()
                  + "' judges '"
                  + id
                  + "', which is not in the corpus");
        }
      }
    }
  }

  @Override
  public String toString() {
    return "QuerySet[" + name + ", corpus=" + corpus.size() + ", queries=" + queries.size() + "]";
  }
}
