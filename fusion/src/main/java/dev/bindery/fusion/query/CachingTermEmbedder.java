package dev.bindery.fusion.query;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link TermEmbedder} that answers {@code text:"..."} terms from a {@link TextEmbeddingCache}
 * and passes every other modality through: those values are file paths, whose content can change
 * between two queries naming the same path.
 */
public final class CachingTermEmbedder implements TermEmbedder {
  private final TermEmbedder delegate;
  private final TextEmbeddingCache cache;
  private final String model;

  /**
   * @param delegate the embedder that computes
   * @param cache where text embeddings are kept
   * @param model identifies {@code delegate}'s text tower in the cache (its package location), so
   *     two collections with different models never share an entry
   */
  public CachingTermEmbedder(TermEmbedder delegate, TextEmbeddingCache cache, String model) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.model = Objects.requireNonNull(model, "model");
  }

  @Override
  public Map<Modality, String> spaces() {
    return delegate.spaces();
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  @Override
  public float[] embed(Modality modality, String value) {
    if (modality != Modality.TEXT || !delegate.spaces().containsKey(Modality.TEXT)) {
      return delegate.embed(modality, value);
    }
    return cache.get(model, value, () -> delegate.embed(modality, value));
  }

  /** Media are never cached: each term's content is its own. */
  @Override
  public float[] embed(Modality modality, MediaSource media) {
    return delegate.embed(modality, media);
  }
}
