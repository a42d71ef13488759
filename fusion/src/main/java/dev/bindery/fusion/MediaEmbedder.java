package dev.bindery.fusion;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.RowTower;
import dev.bindery.encoders.SegmentingEncoder;
import dev.bindery.encoders.TimedEmbedding;
import dev.bindery.encoders.audio.AudioDecoder;
import dev.bindery.encoders.image.ImageDecoder;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.text.Utf8Text;
import dev.bindery.fusion.Bindery.Prepared;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Segment;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Decodes media and runs a model package's towers on them: the two halves of {@link Bindery#embed}.
 * {@link #prepare} decodes (and, for a {@link RowTower}, preprocesses) on any thread and embeds
 * text, audio and video there; {@link #embedAll} runs the image tower once per run of consecutive
 * prepared images. Thread-safe.
 */
final class MediaEmbedder {
  private final ImageDecoder images;
  private final AudioDecoder audio;

  /** With the decoders the query side's term embedder uses too. */
  MediaEmbedder(ImageDecoder images, AudioDecoder audio) {
    this.images = images;
    this.audio = audio;
  }

  /** See {@link Bindery#prepare}; {@code pkgOf} is asked once the media's kind is known. */
  Prepared prepare(
      String collection,
      Supplier<ModelPackage> pkgOf,
      String id,
      MediaSource media,
      Map<String, Object> metadata) {
    Modality m = media.modality();
    ModelPackage pkg = pkgOf.get();
    Item.Builder b = Item.builder(id, m.wireName()).source(media.describe());
    switch (m) {
      case IMAGE -> {
        Encoder<BufferedImage> enc = pkg.imageEncoder();
        BufferedImage image = images.decode(media);
        if (enc instanceof RowTower<BufferedImage> rows) {
          return new Prepared(collection, id, b, metadata, enc, null, rows.preprocess(image));
        }
        return new Prepared(collection, id, b, metadata, enc, image, null);
      }
      case AUDIO -> addSegmented(b, pkg.audioEncoder(), audio.decode(media));
      case VIDEO -> addSegmented(b, pkg.videoEncoder(), media);
      default -> {
        String text = utf8(media);
        Encoder<String> enc = pkg.textEncoder();
        b.text(Bindery.TEXT_FIELD, text).vector(enc.space(), enc.encode(text));
      }
    }
    return new Prepared(collection, id, b, metadata, null, null, null);
  }

  /** See {@link Bindery#embedAll}. */
  List<Item> embedAll(String collection, List<Prepared> prepared) {
    List<Item> out = new ArrayList<>(prepared.size());
    int from = 0;
    while (from < prepared.size()) {
      Prepared first = prepared.get(from);
      if (!first.collection.equals(collection)) {
        throw new IllegalArgumentException(
            "item '"
                + first.id
                + "' was prepared for collection '"
                + first.collection
                + "', not '"
                + collection
                + "'");
      }
      int to = from + 1;
      while (to < prepared.size()
          && first.tower != null
          && prepared.get(to).tower == first.tower
          && (prepared.get(to).row == null) == (first.row == null)) {
        to++;
      }
      List<Prepared> run = prepared.subList(from, to);
      if (first.tower != null) {
        List<float[]> vectors =
            first.row != null ? rowVectors(first.tower, run) : imageVectors(run);
        for (int i = 0; i < run.size(); i++) {
          run.get(i).builder.vector(first.tower.space(), vectors.get(i));
        }
      }
      for (Prepared p : run) {
        out.add(withMetadata(p.builder.build(), p.metadata));
      }
      from = to;
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<float[]> rowVectors(Encoder<?> tower, List<Prepared> run) {
    return ((RowTower<BufferedImage>) tower).encodeRows(run.stream().map(p -> p.row).toList());
  }

  @SuppressWarnings("unchecked")
  private static List<float[]> imageVectors(List<Prepared> run) {
    Encoder<BufferedImage> tower = (Encoder<BufferedImage>) run.get(0).tower;
    return tower.encodeBatch(run.stream().map(p -> p.image).toList());
  }

  private static <I> void addSegmented(Item.Builder b, Encoder<I> enc, I input) {
    if (enc instanceof SegmentingEncoder<I> seg) {
      SegmentingEncoder.Segmented both = seg.encodeWithSegments(input);
      b.vector(enc.space(), both.vector());
      for (TimedEmbedding t : both.segments()) {
        b.segment(Segment.of(t.start(), t.end(), Map.of(enc.space(), t.vector())));
      }
    } else {
      b.vector(enc.space(), enc.encode(input));
    }
  }

  /** Text media, which must be valid UTF-8. */
  private static String utf8(MediaSource media) {
    return Utf8Text.decode(media.readAllBytes(), media.describe());
  }

  static Item withMetadata(Item item, Map<String, Object> metadata) {
    if (metadata == null || metadata.isEmpty()) {
      return item;
    }
    return new Item(
        item.id(),
        item.modality(),
        item.source(),
        item.text(),
        metadata,
        item.vectors(),
        item.segments());
  }
}
