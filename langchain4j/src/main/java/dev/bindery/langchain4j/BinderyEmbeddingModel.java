package dev.bindery.langchain4j;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.langchain4j.data.audio.Audio;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ContentType;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.request.EmbeddingInput;
import dev.langchain4j.model.embedding.request.EmbeddingRequest;
import dev.langchain4j.model.embedding.response.EmbeddingResponse;
import dev.langchain4j.model.output.Response;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A langchain4j {@link EmbeddingModel} over a Bindery model package: its text tower for text, and
 * (for a multimodal package such as {@link ModelPackage#DEFAULT}) its image and audio towers for
 * {@link ImageContent} and {@link AudioContent} inputs, all into one embedding space. So images
 * embedded here and stored in a {@link BinderyEmbeddingStore} are found by text queries embedded
 * here, and the other way round.
 *
 * <p>Images and audio come as base64 data with a MIME type ({@code image/png}, {@code audio/wav},
 * ...) or as {@code file:} URIs; they are decoded locally (nothing is downloaded, so {@code http:}
 * URLs are refused). Vectors are L2-normalized as the package says. Thread-safe; {@link #close()}
 * frees the package's ONNX sessions.
 */
public final class BinderyEmbeddingModel implements EmbeddingModel, AutoCloseable {
  private final ModelPackage pkg;
  private final ImageDecoder images = new ImageDecoder();
  private final AudioDecoder audio = new AudioDecoder();

  private BinderyEmbeddingModel(ModelPackage pkg) {
    this.pkg = Objects.requireNonNull(pkg, "model package");
    pkg.textEncoder(); // fails now, naming the package, if it has no text tower
  }

  /**
   * Opens the package at {@code location}: a directory, or {@code classpath:/...} such as {@link
   * ModelPackage#DEFAULT} (text and image) or {@link ModelPackage#DEFAULT_TEXT}.
   */
  public static BinderyEmbeddingModel open(String location) {
    return new BinderyEmbeddingModel(ModelPackage.open(location));
  }

  /** The package underneath. */
  public ModelPackage modelPackage() {
    return pkg;
  }

  @Override
  public int dimension() {
    return pkg.textEncoder().dimension();
  }

  @Override
  public String modelName() {
    return pkg.name();
  }

  @Override
  public Set<ContentType> supportedContentTypes() {
    Set<ContentType> types = EnumSet.of(ContentType.TEXT);
    if (pkg.modalities().contains(Modality.IMAGE)) {
      types.add(ContentType.IMAGE);
    }
    if (pkg.modalities().contains(Modality.AUDIO)) {
      types.add(ContentType.AUDIO);
    }
    return types;
  }

  /** Embeds the request's inputs: each one text, one image or one audio clip. */
  @Override
  public EmbeddingResponse doEmbed(EmbeddingRequest request) {
    List<Embedding> out = new ArrayList<>(request.inputs().size());
    List<String> texts = new ArrayList<>();
    List<Integer> textAt = new ArrayList<>();
    for (EmbeddingInput input : request.inputs()) {
      List<Content> contents = input.contents();
      if (contents.size() != 1) {
        throw new IllegalArgumentException(
            "each embedding input must hold one content (a text, an image or an audio clip); got "
                + contents.size()
                + " of types "
                + input.contentTypes());
      }
      Content c = contents.get(0);
      switch (c) {
        case TextContent t -> {
          textAt.add(out.size());
          texts.add(t.text());
          out.add(null);
        }
        case ImageContent i -> out.add(embedImage(i.image()));
        case AudioContent a -> out.add(embedAudio(a.audio()));
        default ->
            throw new IllegalArgumentException(
                "model package '"
                    + pkg.name()
                    + "' cannot embed "
                    + c.type()
                    + " content; it embeds "
                    + supportedContentTypes());
      }
    }
    if (!texts.isEmpty()) {
      List<float[]> vectors = pkg.textEncoder().encodeBatch(texts);
      for (int i = 0; i < vectors.size(); i++) {
        out.set(textAt.get(i), new Embedding(vectors.get(i)));
      }
    }
    return EmbeddingResponse.builder().embeddings(out).modelName(pkg.name()).build();
  }

  /** Embeds an image file with the package's image tower. */
  public Response<Embedding> embedImage(Path file) {
    Encoder<java.awt.image.BufferedImage> enc = pkg.imageEncoder();
    return Response.from(new Embedding(enc.encode(images.decode(file))));
  }

  /** Embeds encoded image bytes ({@code name}'s extension tells the format, e.g. {@code a.png}). */
  public Response<Embedding> embedImage(byte[] bytes, String name) {
    Encoder<java.awt.image.BufferedImage> enc = pkg.imageEncoder();
    return Response.from(new Embedding(enc.encode(images.decode(bytes, name))));
  }

  private Embedding embedImage(Image image) {
    if (image.base64Data() != null) {
      byte[] bytes = Base64.getDecoder().decode(image.base64Data());
      return embedImage(bytes, "image." + extension(image.mimeType(), "image")).content();
    }
    return embedImage(localFile(image.url(), "image")).content();
  }

  private Embedding embedAudio(Audio clip) {
    Encoder<dev.bindery.encoders.AudioSignal> enc = pkg.audioEncoder();
    if (clip.binaryData() != null || clip.base64Data() != null) {
      byte[] bytes =
          clip.binaryData() != null
              ? clip.binaryData()
              : Base64.getDecoder().decode(clip.base64Data());
      return new Embedding(
          enc.encode(audio.decode(bytes, "audio." + extension(clip.mimeType(), "audio"))));
    }
    return new Embedding(enc.encode(audio.decode(localFile(clip.url(), "audio"))));
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
              + "' is not a file: URI; Bindery decodes locally and downloads nothing: pass the"
              + " bytes as base64 data with a MIME type");
    }
    return Path.of(url);
  }

  /** The file extension a MIME type stands for ({@code image/png} -> {@code png}). */
  static String extension(String mimeType, String kind) {
    if (mimeType == null || !mimeType.toLowerCase(Locale.ROOT).startsWith(kind + "/")) {
      throw new IllegalArgumentException(
          kind + " data needs a MIME type " + kind + "/..., got " + mimeType);
    }
    String sub = mimeType.substring(kind.length() + 1).toLowerCase(Locale.ROOT);
    int semi = sub.indexOf(';');
    if (semi >= 0) {
      sub = sub.substring(0, semi).trim();
    }
    return switch (sub) {
      case "jpeg", "pjpeg" -> "jpg";
      case "svg+xml" -> "svg";
      case "x-wav", "wave", "vnd.wave" -> "wav";
      case "mpeg", "mp3" -> "mp3";
      case "x-flac" -> "flac";
      case "mp4", "x-m4a" -> "m4a";
      default -> sub;
    };
  }

  @Override
  public void close() {
    pkg.close();
  }
}
