package dev.bindery.eval.regression;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.eval.data.EvalItem;
import dev.bindery.eval.data.ItemContent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Decodes evaluation items and embeds them with the package's tower for their modality. */
final class ItemEmbedder {

  private static final int BATCH = 32;

  private final ModelPackage pkg;
  private final ImageDecoder images = new ImageDecoder();
  private final AudioDecoder audio = new AudioDecoder();

  ItemEmbedder(ModelPackage pkg) {
    this.pkg = pkg;
  }

  /** The tower of a modality (fails naming the towers the package has). */
  Encoder<?> tower(Modality modality) {
    return pkg.encoder(modality);
  }

  /** Embeds items, all of one modality, in batches; vectors in item order. */
  List<float[]> embed(List<EvalItem> items) {
    List<float[]> out = new ArrayList<>(items.size());
    for (int from = 0; from < items.size(); from += BATCH) {
      List<EvalItem> batch = items.subList(from, Math.min(items.size(), from + BATCH));
      out.addAll(embedBatch(batch));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private List<float[]> embedBatch(List<EvalItem> batch) {
    Modality m = batch.get(0).modality();
    List<Object> inputs = new ArrayList<>();
    for (EvalItem item : batch) {
      if (item.modality() != m) {
        throw new IllegalStateException("mixed modalities in one batch: " + m + ", " + item);
      }
      inputs.add(decode(item));
    }
    Encoder<Object> e = (Encoder<Object>) pkg.encoder(m);
    return e.encodeBatch(inputs);
  }

  private Object decode(EvalItem item) {
    ItemContent c = item.content();
    return switch (item.modality()) {
      case TEXT -> ((ItemContent.Text) c).text();
      case IMAGE ->
          switch (c) {
            case ItemContent.File f -> images.decode(f.path());
            case ItemContent.EncodedImage e -> images.decode(e.bytes(), e.name());
            case ItemContent.GrayPixels g -> g.toImage();
            case ItemContent.Text t -> throw unsupported(item);
          };
      case AUDIO -> audio.decode(path(item));
      case VIDEO -> MediaSource.of(path(item));
      default -> throw unsupported(item);
    };
  }

  private static Path path(EvalItem item) {
    if (item.content() instanceof ItemContent.File f) {
      return f.path();
    }
    throw unsupported(item);
  }

  private static IllegalArgumentException unsupported(EvalItem item) {
    return new IllegalArgumentException(
        "cannot embed item '"
            + item.id()
            + "': "
            + item.modality()
            + " from "
            + item.content()
            + " is not supported");
  }
}
