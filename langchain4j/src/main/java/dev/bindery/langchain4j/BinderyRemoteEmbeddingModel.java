package dev.bindery.langchain4j;

import dev.bindery.client.BinderyClient;
import dev.bindery.client.EmbeddingInput;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ContentType;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A langchain4j {@link EmbeddingModel} that embeds on a remote Bindery server ({@code POST
 * /v1/embeddings}) with a model package the server has ({@code bindery-mini}, {@code minilm-l6-v2},
 * a {@code --models} sub-folder) or a collection's package (name the collection). Texts, and with a
 * multimodal package images and audio ({@link ImageContent}, {@link AudioContent} as base64 data or
 * {@code file:} URIs, read here and sent as {@code data:} URLs; the server fetches nothing), come
 * back as the very vectors {@link BinderyEmbeddingModel} computes in-process with the same package.
 *
 * <pre>{@code
 * BinderyRemoteEmbeddingModel model = BinderyRemoteEmbeddingModel.builder()
 *     .serverUrl("http://127.0.0.1:7700").apiKey(key).model("bindery-mini").build();
 * }</pre>
 *
 * Requests carry at most {@value #BATCH} inputs each; errors are the client's {@link
 * dev.bindery.client.BinderyApiException}, naming the request. Thread-safe.
 */
public final class BinderyRemoteEmbeddingModel implements EmbeddingModel, AutoCloseable {
  /** Inputs per request: well under the server's 2048, and bodies stay small with images. */
  static final int BATCH = 128;

  private final BinderyClient client;
  private final boolean ownsClient;
  private final String model;
  private volatile int dimension;

  private BinderyRemoteEmbeddingModel(Builder b) {
    if ((b.serverUrl == null) == (b.client == null)) {
      throw new IllegalArgumentException("set one of serverUrl(...) or client(...)");
    }
    this.model = Objects.requireNonNull(b.model, "model");
    this.ownsClient = b.client == null;
    this.client =
        ownsClient
            ? BinderyClient.builder(b.serverUrl)
                .apiKey(b.apiKey)
                .requestTimeout(b.requestTimeout)
                .build()
            : b.client;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The client underneath. */
  public BinderyClient client() {
    return client;
  }

  @Override
  public String modelName() {
    return model;
  }

  /** The package's dimension, asked of the server once (by embedding a short text). */
  @Override
  public int dimension() {
    int d = dimension;
    if (d == 0) {
      d = client.embed(model, List.of(EmbeddingInput.text("dimension"))).get(0).length;
      dimension = d;
    }
    return d;
  }

  /** Text, image and audio: the server refuses, naming the package, what it has no tower for. */
  @Override
  public Set<ContentType> supportedContentTypes() {
    return EnumSet.of(ContentType.TEXT, ContentType.IMAGE, ContentType.AUDIO);
  }

  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    List<EmbeddingInput> inputs = new ArrayList<>(request.inputs().size());
    for (dev.langchain4j.model.embedding.request.EmbeddingInput input : request.inputs()) {
      List<Content> contents = input.contents();
      if (contents.size() != 1) {
        throw new IllegalArgumentException(
            "each embedding input must hold one content (a text, an image or an audio clip); got "
                + contents.size()
                + " of types "
                + input.contentTypes());
      }
      inputs.add(
          switch (contents.get(0)) {
            case TextContent t -> EmbeddingInput.text(t.text());
            case ImageContent i -> image(i.image());
            case AudioContent a -> audio(a.audio());
            default ->
                throw new IllegalArgumentException(
                    "cannot embed "
                        + contents.get(0).type()
                        + " content; Bindery embeds text, images and audio");
          });
    }
    List<Embedding> out = new ArrayList<>(inputs.size());
    for (int from = 0; from < inputs.size(); from += BATCH) {
      for (float[] v :
          client.embed(model, inputs.subList(from, Math.min(inputs.size(), from + BATCH)))) {
        out.add(new Embedding(v));
      }
    }
    if (!out.isEmpty()) {
      dimension = out.get(0).dimension();
    }
    return EmbeddingResponse.builder().embeddings(out).modelName(model).build();
  }

  private static EmbeddingInput image(Image image) {
    if (image.base64Data() != null) {
      return EmbeddingInput.media(
          mime(image.mimeType(), "image"), Base64.getDecoder().decode(image.base64Data()));
    }
    Path file = localFile(image.url(), "image");
    return EmbeddingInput.media(
        mime(URLConnection.guessContentTypeFromName(file.toString()), "image"), read(file));
  }

  private static EmbeddingInput audio(Audio clip) {
    if (clip.binaryData() != null || clip.base64Data() != null) {
      byte[] bytes =
          clip.binaryData() != null
              ? clip.binaryData()
              : Base64.getDecoder().decode(clip.base64Data());
      return EmbeddingInput.media(mime(clip.mimeType(), "audio"), bytes);
    }
    Path file = localFile(clip.url(), "audio");
    return EmbeddingInput.media(
        mime(URLConnection.guessContentTypeFromName(file.toString()), "audio"), read(file));
  }

  private static String mime(String mimeType, String kind) {
    BinderyEmbeddingModel.extension(mimeType, kind); // the same check as in-process
    return mimeType;
  }

  private static Path localFile(URI url, String what) {
    if (url == null) {
      throw new IllegalArgumentException(what + " content has neither data nor a URL");
    }
    if (!"file".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException(
          what
              + " URL '"
              + url
              + "' is not a file: URI; the server fetches no URLs: pass the bytes as base64 data"
              + " with a MIME type");
    }
    return Path.of(url);
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Closes the client if this model opened it. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  /** Configures a {@link BinderyRemoteEmbeddingModel}. */
  public static final class Builder {
    private String serverUrl;
    private String apiKey;
    private BinderyClient client;
    private Duration requestTimeout = Duration.ofSeconds(60);
    private String model = "bindery-mini";

    private Builder() {}

    /** The server's root URL ({@code http://127.0.0.1:7700}). */
    public Builder serverUrl(String serverUrl) {
      this.serverUrl = serverUrl;
      return this;
    }

    /** The server's API key ({@code read} scope suffices). */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** How long to wait for each answer (with {@link #serverUrl}; default 60 s). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /** A client to use instead of a URL (not closed by the model). */
    public Builder client(BinderyClient client) {
      this.client = client;
      return this;
    }

    /**
     * The model package (default {@code bindery-mini}: text and images in one space) or a
     * collection whose package embeds.
     */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public BinderyRemoteEmbeddingModel build() {
      return new BinderyRemoteEmbeddingModel(this);
    }
  }
}
