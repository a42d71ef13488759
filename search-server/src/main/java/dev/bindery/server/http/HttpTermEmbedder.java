package dev.bindery.server.http;

import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.fusion.DataUrl;
import dev.bindery.fusion.query.TermEmbedder;
import java.util.Map;
import java.util.Objects;

/**
 * The query side of a collection as HTTP clients may use it: text as is, and media only as data:
 * URLs. The library's embedder reads {@code image:PATH} from the server's disk, which a remote
 * caller must never reach, so paths and remote URLs are refused here; the bytes of a data URL go to
 * the decoders in memory, as a {@link MediaSource} with the data URL's type (no temporary file).
 */
final class HttpTermEmbedder implements TermEmbedder {
  private final TermEmbedder delegate;
  private final DecodeGate decodes;

  HttpTermEmbedder(TermEmbedder delegate, DecodeGate decodes) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.decodes = Objects.requireNonNull(decodes, "decodes");
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
    if (modality == Modality.TEXT) {
      return delegate.embed(modality, value);
    }
    if (!delegate.spaces().containsKey(modality)) {
      // The delegate's message names the towers there are, without touching the value.
      return delegate.embed(modality, value);
    }
    DataUrl data = DataUrl.parse(value, modality.wireName() + " term");
    MediaSource media = data.media("query");
    return decodes.run(
        "a " + modality.wireName() + " query term", () -> delegate.embed(modality, media));
  }

  @Override
  public float[] embed(Modality modality, MediaSource media) {
    if (media instanceof MediaSource.File) {
      throw ApiProblem.badRequest(
          modality.wireName() + " term: file paths are not read over HTTP; send a data: URL");
    }
    return decodes.run(
        "a " + modality.wireName() + " query term", () -> delegate.embed(modality, media));
  }
}
