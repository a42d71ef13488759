package dev.bindery.solrcloud;

import java.util.Map;
import java.util.TreeMap;

/**
 * Solr rejected some items of a batch that passed Bindery's own checks (a term longer than Lucene
 * allows, a document Solr cannot parse). The whole batch was rolled back: items it replaced are
 * back as they were and new ones are gone, so nothing of it is visible. {@link #failedItems()} says
 * which items Solr refused and why.
 */
public class RejectedItemsException extends IllegalArgumentException {
  private final Map<String, String> failedItems;

  public RejectedItemsException(String collection, int batchSize, Map<String, String> failed) {
    super(message(collection, batchSize, failed));
    this.failedItems = java.util.Collections.unmodifiableMap(new TreeMap<>(failed));
  }

  /** Item id to Solr's reason, sorted by id. */
  public Map<String, String> failedItems() {
    return failedItems;
  }

  private static String message(String collection, int batchSize, Map<String, String> failed) {
    StringBuilder b =
        new StringBuilder("SolrCloud rejected ")
            .append(failed.size())
            .append(" of ")
            .append(batchSize)
            .append(" item(s) in collection '")
            .append(collection)
            .append("'; the batch was rolled back and nothing of it was written: ");
    int shown = 0;
    for (Map.Entry<String, String> e : new TreeMap<>(failed).entrySet()) {
      if (shown++ == 5) {
        b.append("; ...");
        break;
      }
      if (shown > 1) {
        b.append("; ");
      }
      String reason = e.getValue();
      b.append("item '")
          .append(e.getKey())
          .append("': ")
          .append(reason.length() > 300 ? reason.substring(0, 300) + "..." : reason);
    }
    return b.toString();
  }
}
