package dev.bindery.server.backend;

import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.IndexBackendProvider;
import dev.bindery.indexer.lucene.LuceneBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The embedded Lucene backend offered as a provider, so a test can load a real backend through
 * {@link IsolatedBackendLoader} from the test class path: inside the isolated loader, Lucene and
 * {@code dev.bindery.indexer.lucene} are loaded a second time, apart from the application's.
 */
public final class IsolatedLuceneProvider implements IndexBackendProvider {

  @Override
  public String name() {
    return "lucene-isolated";
  }

  @Override
  public Set<String> settings() {
    return Set.of("dir");
  }

  @Override
  public IndexBackend open(Map<String, String> settings) {
    if (!settings.keySet().equals(settings())) {
      throw new IllegalArgumentException("lucene-isolated takes exactly: dir; got " + settings);
    }
    return new LuceneBackend(Path.of(settings.get("dir")));
  }
}
