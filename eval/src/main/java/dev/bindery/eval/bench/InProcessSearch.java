package dev.bindery.eval.bench;

import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.query.ResultHit;
import java.util.List;

/**
 * {@code bench http}'s baseline: the search run in this process through the same {@link Bindery}
 * facade the server calls, so the difference to {@link HttpSearch} is what HTTP costs. Stateless:
 * every client thread shares it.
 */
record InProcessSearch(Bindery bindery, String collection, int k)
    implements SearchLoad.Mode, SearchLoad.Searcher {
  @Override
  public SearchLoad.Searcher open() {
    return this;
  }

  @Override
  public List<String> search(String expression) {
    return bindery.search(collection, expression, k).hits().stream().map(ResultHit::id).toList();
  }

  @Override
  public void close() {}
}
