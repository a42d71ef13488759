package dev.bindery.indexer;

import java.util.Map;
import java.util.Set;

/**
 * Opens a backend by name, found through {@link java.util.ServiceLoader}. A backend that cannot
 * share a class path with the application (the SolrCloud backend brings its own Jetty and HTTP
 * client) is loaded in its own class loader and reached through this interface and {@link
 * IndexBackend}, which use only JDK types and this package.
 */
public interface IndexBackendProvider {

  /** The name users select the backend by, e.g. {@code solrcloud}. */
  String name();

  /** The settings {@link #open} understands, for error messages and help. */
  Set<String> settings();

  /**
   * Opens (connects) a backend.
   *
   * @param settings the backend's settings by name; every key must be one of {@link #settings()}
   * @throws IllegalArgumentException naming the setting when one is unknown, missing or malformed
   * @throws IndexUnavailableException when the backend's servers cannot be reached
   */
  IndexBackend open(Map<String, String> settings);
}
