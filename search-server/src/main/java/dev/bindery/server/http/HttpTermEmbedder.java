package dev.bindery.server.http;

import dev.bindery.encoders.Modality;
import dev.bindery.fusion.query.TermEmbedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The query side of a collection as HTTP clients may use it: text as is, and media only as data:
 * URLs. The library's embedder reads {@code image:PATH} from the server's disk, which a remote
 * caller must never reach, so paths and remote URLs are refused here; the bytes of a data URL go
 * through a temporary file (the decoders pick the format from its extension), deleted afterwards.
 */
final class HttpTermEmbedder implements TermEmbedder {
  private final TermEmbedder delegate;
  private final Path tempDir;
  private final DecodeGate decodes;

  HttpTermEmbedder(TermEmbedder delegate, Path tempDir, DecodeGate decodes) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.tempDir = tempDir;
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
    Path tmp = null;
    try {
      tmp =
          tempDir == null
              ? Files.createTempFile("bindery-query-", "." + data.extension())
              : Files.createTempFile(tempDir, "bindery-query-", "." + data.extension());
      Files.write(tmp, data.bytes());
      String file = tmp.toString();
      return decodes.run(
          "a " + modality.wireName() + " query term", () -> delegate.embed(modality, file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stage a " + modality + " query term: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // A leftover temp file is harmless; the query's own outcome is what matters.
        }
      }
    }
  }
}
