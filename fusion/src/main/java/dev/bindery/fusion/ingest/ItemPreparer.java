package dev.bindery.fusion.ingest;

import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Names;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns one {@link ItemSpec} into an item of one collection: reads its media once ({@link
 * MediaInput}), hashes it ({@link ContentHashes}), checks whether the collection already holds it
 * unchanged, and decodes, preprocesses and (except for image batches) embeds it. Thread-safe: the
 * pipeline's workers share one.
 */
final class ItemPreparer {
  private final Bindery bindery;
  private final String collection;
  private final IngestOptions options;
  private final boolean embedsText;

  ItemPreparer(Bindery bindery, String collection, IngestOptions options, boolean embedsText) {
    this.bindery = bindery;
    this.collection = collection;
    this.options = options;
    this.embedsText = embedsText;
  }

  /** The same preparer with relative media paths resolved against {@code baseDir} (manifests). */
  ItemPreparer resolvingAgainst(Path baseDir) {
    return new ItemPreparer(
        bindery,
        collection,
        new IngestOptions(
            baseDir,
            options.batchSize(),
            options.commitEvery(),
            options.maxMediaBytes(),
            options.linksOutside(),
            options.threads()),
        embedsText);
  }

  /** Embeds one item (nothing is written); see {@link Ingestor#toItem}. */
  Item toItem(ItemSpec spec) {
    MediaInput media = MediaInput.read(spec, options);
    String id = idOf(spec);
    Prepared p = prepare(spec, id, media, hashes(spec, id, media));
    Item item = p.item != null ? p.item : bindery.embedAll(collection, List.of(p.pending)).get(0);
    return finish(spec, item);
  }

  /**
   * An item as a worker leaves it: built, or waiting for its image tower ({@link
   * Bindery#embedAll}).
   */
  record Prepared(Item item, Bindery.Prepared pending) {}

  /**
   * What a worker made of one input. {@code id} is null when the input failed before its id was
   * known; {@code failure} is the reason it is skipped, unless its id turns out to be a duplicate.
   */
  static final class Work {
    final String source;
    ItemSpec spec;
    String id;
    String failure;
    boolean unchanged;
    boolean replaces;
    Prepared prepared;
    long readWall;
    long readCpu;
    long decodeWall;
    long decodeCpu;

    Work(String source) {
      this.source = source;
    }

    static Work failed(String source, String reason) {
      Work w = new Work(source);
      w.failure = reason;
      return w;
    }
  }

  /**
   * Reads, hashes, checks and prepares one input, timing the read and decode stages; runs on a
   * worker thread. Never throws for a bad input: the failure is in the result.
   */
  Work work(String source, Supplier<ItemSpec> specSource) {
    Work w = new Work(source);
    long t = System.nanoTime();
    long c = StageTimes.cpuNanos();
    try {
      ItemSpec spec = specSource.get();
      MediaInput media = MediaInput.read(spec, options);
      w.id = idOf(spec);
      w.spec = spec;
      ContentHashes hashes = hashes(spec, w.id, media);
      Optional<Item> old = bindery.backend().get(collection, w.id);
      long t1 = System.nanoTime();
      long c1 = StageTimes.cpuNanos();
      w.readWall = t1 - t;
      w.readCpu = c1 - c;
      if (old.isPresent()
          && hashes.content().equals(old.get().metadata().get(Ingestor.CONTENT_HASH))) {
        w.unchanged = true;
        return w;
      }
      w.replaces = old.isPresent();
      t = t1;
      c = c1;
      w.prepared = prepare(spec, w.id, media, hashes);
      w.decodeWall = System.nanoTime() - t;
      w.decodeCpu = StageTimes.cpuNanos() - c;
      return w;
    } catch (RuntimeException e) {
      w.failure = reason(e);
      if (w.readWall == 0) {
        w.readWall = System.nanoTime() - t;
        w.readCpu = StageTimes.cpuNanos() - c;
      } else {
        w.decodeWall = System.nanoTime() - t;
        w.decodeCpu = StageTimes.cpuNanos() - c;
      }
      return w;
    }
  }

  private ContentHashes hashes(ItemSpec spec, String id, MediaInput media) {
    return ContentHashes.of(spec, id, media, bindery.modelLocation(collection).orElse(""));
  }

  private static String idOf(ItemSpec spec) {
    String id = spec.id();
    if (id == null) {
      String m = spec.media();
      if (m == null || m.startsWith("data:")) {
        throw new IllegalArgumentException("an item without a media path needs an 'id'");
      }
      id = m;
    }
    Names.checkId(id);
    return id;
  }

  private Prepared prepare(ItemSpec spec, String id, MediaInput media, ContentHashes hashes) {
    Map<String, Object> meta = new LinkedHashMap<>(spec.metadata());
    meta.put(Ingestor.CONTENT_HASH, hashes.content());
    if (media != null) {
      if (hashes.source() != null) {
        meta.putAll(hashes.source());
      }
      Bindery.Prepared p = bindery.prepare(collection, id, media.source(), meta);
      return p.pending()
          ? new Prepared(null, p)
          : new Prepared(bindery.embedAll(collection, List.of(p)).get(0), null);
    }
    if (spec.text() != null && embedsText) {
      return new Prepared(bindery.embedText(collection, id, spec.text(), meta), null);
    }
    Map<String, String> text =
        spec.text() == null ? Map.of() : Map.of(Bindery.TEXT_FIELD, spec.text());
    return new Prepared(
        new Item(
            id,
            spec.text() != null ? "text" : "vector",
            null,
            text,
            meta,
            spec.vectors(),
            List.of()),
        null);
  }

  /**
   * What the towers leave to the spec: a media item's caption, and precomputed vectors, which win
   * over an embedded vector of the same space.
   */
  static Item finish(ItemSpec spec, Item item) {
    if (spec.media() != null && spec.text() != null) {
      Map<String, String> text = new LinkedHashMap<>(item.text());
      text.put(Bindery.TEXT_FIELD, spec.text());
      item = copy(item, item.source(), text, item.vectors());
    }
    if (!spec.vectors().isEmpty()) {
      Map<String, float[]> vectors = new LinkedHashMap<>(item.vectors());
      vectors.putAll(spec.vectors());
      item = copy(item, item.source(), item.text(), vectors);
    }
    return item;
  }

  private static Item copy(
      Item item, String source, Map<String, String> text, Map<String, float[]> vectors) {
    return new Item(
        item.id(), item.modality(), source, text, item.metadata(), vectors, item.segments());
  }

  /** The reason a skipped input reports: the exception's message, or its type when it has none. */
  static String reason(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
