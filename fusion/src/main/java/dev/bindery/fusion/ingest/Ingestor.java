package dev.bindery.fusion.ingest;

import dev.bindery.encoders.MediaTypes;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.Item;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns files, folders, JSONL manifests and API items into embedded items of one collection.
 *
 * <p>Re-running is idempotent: every item carries the SHA-256 of its content (id, text, media
 * bytes, vectors, metadata) in the metadata field {@value #CONTENT_HASH}; an item whose id already
 * holds the same hash is counted as unchanged and neither embedded nor written again. An input that
 * cannot be ingested (unreadable file, undecodable image, bad manifest line) is skipped with its
 * reason and the run goes on; a batch the index refuses is retried item by item so that only the
 * bad items are skipped. Items are committed every {@link IngestOptions#commitEvery()} items and at
 * the end, so an interrupted run keeps what it committed and a re-run resumes cheaply.
 *
 * <p>Inputs: a {@code .jsonl} file is a manifest, one {@link ItemSpec} per line, relative paths
 * resolved against the manifest's folder; a folder is walked (sorted, hidden files skipped), each
 * file whose kind {@link MediaTypes} can tell (extension, checked against the magic number; or the
 * magic number alone) becomes an item whose id is its path relative to the folder; any other file
 * is one item with its file name as id. Media given as data URLs are embedded from memory, video
 * included: nothing is written to a temporary file.
 *
 * <p>A run is a pipeline. {@link IngestOptions#threads()} worker threads read each input (an image
 * file's bytes once: content hash, source digest, format check and decoding all use them), check
 * whether it is unchanged, and decode and preprocess it ({@link Bindery#prepare}); the calling
 * thread takes the results in input order, runs the image tower on batches of {@link
 * IngestOptions#batchSize()} preprocessed images ({@link Bindery#embedAll}) and writes them. Text,
 * audio and video are embedded item by item on the workers. At most {@code 2 * batchSize + threads}
 * inputs are in flight, so memory stays bounded whatever the input's size. Skips, the duplicate-id
 * check and the listener's calls happen on the calling thread in input order, so a run gives the
 * same items, the same vectors and the same report whatever the number of threads. Not thread-safe:
 * one run at a time.
 *
 * <p>The work is split among package-private pieces: {@link IngestInputs} lists the inputs, {@link
 * ItemPreparer} reads ({@link MediaInput}), hashes ({@link ContentHashes}) and prepares each one,
 * and {@link IngestPipeline} runs the workers, the batches, the writes and the commits.
 */
public final class Ingestor {

  /** Metadata field holding the SHA-256 of an item's content. */
  public static final String CONTENT_HASH = "content_sha256";

  /**
   * Metadata field holding the SHA-256 (hex) of the media file an item was embedded from, so that
   * whoever serves the file later can tell whether it is still the file that was ingested.
   */
  public static final String SOURCE_HASH = "source_sha256";

  /** Metadata field holding the size in bytes of the media file an item was embedded from. */
  public static final String SOURCE_BYTES = "source_bytes";

  private final Bindery bindery;
  private final String collection;
  private final IngestOptions options;
  private final ItemPreparer preparer;

  public Ingestor(Bindery bindery, String collection, IngestOptions options) {
    this.bindery = Objects.requireNonNull(bindery, "bindery");
    this.collection = Objects.requireNonNull(collection, "collection");
    this.options = Objects.requireNonNull(options, "options");
    bindery.describe(collection); // unknown collection: fail now, with the backend's message
    boolean embedsText = bindery.modelLocation(collection).isPresent();
    this.preparer = new ItemPreparer(bindery, collection, options, embedsText);
  }

  /**
   * Embeds one item (nothing is written). The item's metadata gains {@value #CONTENT_HASH}.
   *
   * @throws IllegalArgumentException for a missing id, a file path where files are not allowed, a
   *     missing or oversized file, a bad data URL, a modality the collection has no tower for, or
   *     media that fail to decode
   */
  public Item toItem(ItemSpec spec) {
    return preparer.toItem(spec);
  }

  /** Embeds and writes items (all or nothing), then makes them durable. */
  public List<Item> add(List<ItemSpec> specs) {
    List<Item> items = new ArrayList<>(specs.size());
    for (ItemSpec s : specs) {
      items.add(toItem(s));
    }
    bindery.add(collection, items);
    bindery.commit(collection);
    return items;
  }

  /** Ingests files, folders and manifests; see the class comment. */
  public IngestReport ingest(List<Path> inputs, IngestListener listener) {
    long t0 = System.nanoTime();
    try (IngestPipeline run =
        new IngestPipeline(
            bindery, collection, options, listener == null ? IngestListener.NONE : listener)) {
      run.listener().planned(IngestInputs.planned(inputs));
      new IngestInputs(options, preparer, run).offerAll(inputs);
      return run.finish(t0);
    }
  }

  /** {@value #SOURCE_HASH} and {@value #SOURCE_BYTES} of a file. */
  public static Map<String, Object> sourceDigest(Path file) {
    return ContentHashes.sourceDigest(file);
  }
}
