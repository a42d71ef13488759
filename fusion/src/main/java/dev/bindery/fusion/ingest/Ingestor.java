package dev.bindery.fusion.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.MediaTypes;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Utf8Text;
import dev.bindery.fusion.Bindery;
import dev.bindery.fusion.DataUrl;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.Names;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

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

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Bindery bindery;
  private final String collection;
  private final IngestOptions options;
  private final boolean embedsText;

  public Ingestor(Bindery bindery, String collection, IngestOptions options) {
    this.bindery = Objects.requireNonNull(bindery, "bindery");
    this.collection = Objects.requireNonNull(collection, "collection");
    this.options = Objects.requireNonNull(options, "options");
    bindery.describe(collection); // unknown collection: fail now, with the backend's message
    this.embedsText = bindery.modelLocation(collection).isPresent();
  }

  // ------------------------------------------------------------------ single items

  /**
   * Embeds one item (nothing is written). The item's metadata gains {@value #CONTENT_HASH}.
   *
   * @throws IllegalArgumentException for a missing id, a file path where files are not allowed, a
   *     missing or oversized file, a bad data URL, a modality the collection has no tower for, or
   *     media that fail to decode
   */
  public Item toItem(ItemSpec spec) {
    Media media = media(spec);
    String id = idOf(spec);
    Prepared p = prepare(spec, id, media, hash(spec, id, media));
    Item item = p.item != null ? p.item : bindery.embedAll(collection, List.of(p.pending)).get(0);
    return finish(spec, item);
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

  // ------------------------------------------------------------------ runs

  /** Ingests files, folders and manifests; see the class comment. */
  public IngestReport ingest(List<Path> inputs, IngestListener listener) {
    long t0 = System.nanoTime();
    try (Run run = new Run(listener == null ? IngestListener.NONE : listener)) {
      long planned = 0;
      for (Path p : inputs) {
        planned += count(p);
      }
      run.listener.planned(planned);
      for (Path p : inputs) {
        if (!Files.exists(p)) {
          run.skipInOrder(p.toString(), "no such file or folder");
        } else if (Files.isDirectory(p)) {
          folder(p, run);
        } else if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
          manifest(p, run);
        } else {
          Path abs = p.toAbsolutePath().normalize();
          run.offer(p.toString(), () -> fileSpec(abs.getFileName().toString(), abs));
        }
      }
      run.drain();
      run.flush();
      run.commit();
      return new IngestReport(
          run.added, run.replaced, run.unchanged, run.skips, System.nanoTime() - t0, run.stages);
    }
  }

  private long count(Path p) {
    try {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = walk(p)) {
          return s.count();
        }
      }
      if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")) {
        try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
          return lines.filter(l -> !l.isBlank()).count();
        } catch (UncheckedIOException e) {
          return 0; // invalid UTF-8: reported when the manifest is read
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return 0; // reported as a skip when the input is read
    }
    return Files.exists(p) ? 1 : 0;
  }

  private static Stream<Path> walk(Path dir) throws IOException {
    return Files.walk(dir)
        .filter(Files::isRegularFile)
        .filter(f -> !isHidden(dir.relativize(f)))
        .sorted();
  }

  private static boolean isHidden(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private void folder(Path dir, Run run) {
    Path root = dir.toAbsolutePath().normalize();
    List<Path> files;
    Path realRoot;
    try (Stream<Path> s = walk(root)) {
      files = s.toList();
      realRoot = root.toRealPath();
    } catch (IOException | UncheckedIOException e) {
      run.skipInOrder(dir.toString(), "cannot list the folder: " + e.getMessage());
      return;
    }
    for (Path f : files) {
      if (!options.linksOutside() && Files.isSymbolicLink(f) && !inside(f, realRoot)) {
        run.skipInOrder(
            f.toString(),
            "is a symbolic link to a file outside "
                + dir
                + " (bindery index --follow-links includes such files)");
        continue;
      }
      String id = root.relativize(f).toString().replace('\\', '/');
      run.offer(f.toString(), () -> fileSpec(id, f));
    }
  }

  private static boolean inside(Path link, Path realRoot) {
    try {
      return link.toRealPath().startsWith(realRoot);
    } catch (IOException e) {
      return false; // a dangling link: nothing to index
    }
  }

  /** {@value #SOURCE_HASH} and {@value #SOURCE_BYTES} of a file. */
  public static Map<String, Object> sourceDigest(Path file) {
    MessageDigest d = sha256();
    return sourceDigest(d, stream(file, d));
  }

  /** Feeds {@code file} to every digest in one pass; returns its size in bytes. */
  private static long stream(Path file, MessageDigest... digests) {
    long size = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        for (MessageDigest d : digests) {
          d.update(buf, 0, n);
        }
        size += n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return size;
  }

  private static Map<String, Object> sourceDigest(MessageDigest d, long size) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(SOURCE_HASH, HexFormat.of().formatHex(d.digest()));
    m.put(SOURCE_BYTES, size);
    return m;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private ItemSpec fileSpec(String id, Path file) {
    Modality m = MediaSource.of(file).modality();
    String path = file.toString();
    return switch (m) {
      case IMAGE -> new ItemSpec(id, null, path, null, null, null, null);
      case AUDIO -> new ItemSpec(id, null, null, path, null, null, null);
      case VIDEO -> new ItemSpec(id, null, null, null, path, null, null);
      default -> new ItemSpec(id, readText(file), null, null, null, null, null);
    };
  }

  private static String readText(Path file) {
    try {
      return Utf8Text.decode(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private void manifest(Path file, Run run) {
    Ingestor resolving =
        new Ingestor(
            bindery,
            collection,
            new IngestOptions(
                file.toAbsolutePath().normalize().getParent(),
                options.batchSize(),
                options.commitEvery(),
                options.maxMediaBytes(),
                options.linksOutside(),
                options.threads()),
            embedsText);
    try (BufferedReader r =
        new BufferedReader(
            new java.io.InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + no;
        String text = line;
        run.offer(where, resolving, () -> ItemSpec.fromJson(parse(text, where), where));
      }
    } catch (CharacterCodingException e) {
      run.skipInOrder(file.toString(), "the rest of the manifest is not valid UTF-8");
    } catch (IOException e) {
      run.skipInOrder(file.toString(), "cannot read the manifest: " + e.getMessage());
    }
  }

  private Ingestor(Bindery bindery, String collection, IngestOptions options, boolean embedsText) {
    this.bindery = bindery;
    this.collection = collection;
    this.options = options;
    this.embedsText = embedsText;
  }

  private static JsonNode parse(String line, String where) {
    try {
      return JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          where + ": not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "), e);
    }
  }

  // ------------------------------------------------------------------ embedding

  /**
   * An item's media: a file (with its bytes when it is an image, read once for the hash, the
   * digest, the format check and the decoder), or the bytes of a data URL with their declared MIME
   * type.
   */
  private record Media(String kind, Path file, byte[] bytes, String name, String mimeType) {
    MediaSource source() {
      if (file == null) {
        return MediaSource.of(bytes, name, mimeType);
      }
      // Named by the full path, as the file itself would be: the item's source and messages stay
      // the path.
      return bytes != null ? MediaSource.of(bytes, file.toString(), null) : MediaSource.of(file);
    }
  }

  private String idOf(ItemSpec spec) {
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

  private Media media(ItemSpec spec) {
    String ref = spec.media();
    if (ref == null) {
      return null;
    }
    String kind = spec.mediaKind();
    if (ref.startsWith("data:")) {
      return dataUrl(kind, ref);
    }
    if (!options.allowsFiles()) {
      throw new IllegalArgumentException(
          kind + ": file paths are not accepted here; send the content as a data: URL");
    }
    Path file = options.baseDir().resolve(ref).normalize();
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(kind + " '" + ref + "': no such file (" + file + ")");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (size > options.maxMediaBytes()) {
      throw new IllegalArgumentException(
          kind
              + " '"
              + ref
              + "' is "
              + size
              + " bytes, above the limit "
              + options.maxMediaBytes());
    }
    byte[] bytes = null;
    if (kind.equals(Modality.IMAGE.wireName())) {
      // An image is decoded whole anyway: read it once, and check its format from those bytes.
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    Modality m =
        (bytes != null ? MediaSource.of(bytes, file.toString(), null) : MediaSource.of(file))
            .modality();
    if (!m.wireName().equals(kind)) {
      throw new IllegalArgumentException(
          kind
              + " '"
              + ref
              + "' is not "
              + kind
              + " by its extension (it reads as "
              + m.wireName()
              + ")");
    }
    return new Media(kind, file, bytes, file.getFileName().toString(), null);
  }

  private Media dataUrl(String kind, String url) {
    DataUrl parsed = DataUrl.parse(url, kind, Modality.fromName(kind), options.maxMediaBytes());
    return new Media(kind, null, parsed.bytes(), "upload." + parsed.extension(), parsed.mime());
  }

  /** The content hash of an item and, for a media file, its source digest. */
  private record Hashes(String content, Map<String, Object> source) {}

  /**
   * An item as a worker leaves it: built, or waiting for its image tower ({@link
   * Bindery#embedAll}).
   */
  private record Prepared(Item item, Bindery.Prepared pending) {}

  private Prepared prepare(ItemSpec spec, String id, Media media, Hashes hashes) {
    Map<String, Object> meta = new LinkedHashMap<>(spec.metadata());
    meta.put(CONTENT_HASH, hashes.content());
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
  private static Item finish(ItemSpec spec, Item item) {
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

  /**
   * The content hash, and a media file's source digest, from one pass over the media: the bytes
   * already read, or the file streamed once (audio and video are not held in memory).
   */
  private Hashes hash(ItemSpec spec, String id, Media media) {
    MessageDigest d = sha256();
    field(d, "id", id);
    field(d, "text", spec.text());
    Map<String, Object> source = null;
    if (media != null) {
      field(d, "kind", media.kind());
      field(d, "name", media.file() != null ? media.file().toString() : media.name());
      if (media.bytes() != null) {
        d.update(media.bytes());
        if (media.file() != null) {
          MessageDigest s = sha256();
          s.update(media.bytes());
          source = sourceDigest(s, media.bytes().length);
        }
      } else {
        MessageDigest s = sha256();
        source = sourceDigest(s, stream(media.file(), d, s));
      }
    }
    new TreeMap<>(spec.vectors())
        .forEach(
            (space, v) -> {
              field(d, "vector", space);
              java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4);
              b.asFloatBuffer().put(v);
              d.update(b.array());
            });
    new TreeMap<>(spec.metadata()).forEach((k, v) -> field(d, "meta:" + k, String.valueOf(v)));
    field(d, "model", bindery.modelLocation(collection).orElse(""));
    return new Hashes(HexFormat.of().formatHex(d.digest()), source);
  }

  private static void field(MessageDigest d, String name, String value) {
    d.update(name.getBytes(StandardCharsets.UTF_8));
    d.update((byte) 0);
    if (value != null) {
      d.update(value.getBytes(StandardCharsets.UTF_8));
    }
    d.update((byte) 0);
  }

  // ------------------------------------------------------------------ one run's state

  private interface SpecSource {
    ItemSpec get();
  }

  /**
   * What a worker made of one input. {@code id} is null when the input failed before its id was
   * known; {@code failure} is the reason it is skipped, unless its id turns out to be a duplicate.
   */
  private static final class Work {
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

  /** Reads, hashes, checks and prepares one input; runs on a worker thread. */
  private Work work(String source, SpecSource specSource) {
    Work w = new Work(source);
    long t = System.nanoTime();
    long c = cpuNanos();
    try {
      ItemSpec spec = specSource.get();
      Media media = media(spec);
      w.id = idOf(spec);
      w.spec = spec;
      Hashes hashes = hash(spec, w.id, media);
      Optional<Item> old = bindery.backend().get(collection, w.id);
      long t1 = System.nanoTime();
      long c1 = cpuNanos();
      w.readWall = t1 - t;
      w.readCpu = c1 - c;
      if (old.isPresent() && hashes.content().equals(old.get().metadata().get(CONTENT_HASH))) {
        w.unchanged = true;
        return w;
      }
      w.replaces = old.isPresent();
      t = t1;
      c = c1;
      w.prepared = prepare(spec, w.id, media, hashes);
      w.decodeWall = System.nanoTime() - t;
      w.decodeCpu = cpuNanos() - c;
      return w;
    } catch (RuntimeException e) {
      w.failure = reason(e);
      if (w.readWall == 0) {
        w.readWall = System.nanoTime() - t;
        w.readCpu = cpuNanos() - c;
      } else {
        w.decodeWall = System.nanoTime() - t;
        w.decodeCpu = cpuNanos() - c;
      }
      return w;
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long cpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  private final class Run implements AutoCloseable {
    final IngestListener listener;
    final List<IngestReport.Skip> skips = new ArrayList<>();
    final Map<String, String> seen = new HashMap<>();
    final List<Work> batch = new ArrayList<>();
    final Map<IngestReport.Stage, IngestReport.StageTime> stages =
        new EnumMap<>(IngestReport.Stage.class);
    final ExecutorService workers;
    final ArrayDeque<Future<Work>> inFlight = new ArrayDeque<>();
    final int window;
    long added;
    long replaced;
    long unchanged;
    long sinceCommit;

    Run(IngestListener listener) {
      this.listener = listener;
      for (IngestReport.Stage s : IngestReport.Stage.values()) {
        stages.put(s, new IngestReport.StageTime(0, 0));
      }
      int threads = options.threads();
      this.window = 2 * options.batchSize() + threads;
      this.workers =
          threads == 1
              ? null
              : Executors.newFixedThreadPool(
                  threads,
                  r -> {
                    Thread t = new Thread(r, "bindery-ingest");
                    t.setDaemon(true);
                    return t;
                  });
    }

    /** A skip found while listing inputs, reported after the inputs listed before it. */
    void skipInOrder(String source, String reason) {
      if (workers == null) {
        skip(source, reason);
      } else {
        inFlight.add(CompletableFuture.completedFuture(Work.failed(source, reason)));
      }
    }

    private void skip(String source, String reason) {
      skips.add(new IngestReport.Skip(source, reason));
      listener.skipped(source, reason);
    }

    void offer(String source, SpecSource spec) {
      offer(source, Ingestor.this, spec);
    }

    void offer(String source, Ingestor via, SpecSource specSource) {
      if (workers == null) {
        take(via.work(source, specSource));
        return;
      }
      inFlight.add(workers.submit(() -> via.work(source, specSource)));
      while (inFlight.size() > window) {
        takeNext();
      }
    }

    /** Takes every input still in flight, in order. */
    void drain() {
      while (!inFlight.isEmpty()) {
        takeNext();
      }
    }

    private void takeNext() {
      Future<Work> next = inFlight.poll();
      Work w;
      try {
        w = next.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("ingest interrupted", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("an ingest worker failed: " + e.getCause(), e.getCause());
      }
      take(w);
    }

    /** One input's result, in input order: the same decisions as a sequential run. */
    private void take(Work w) {
      time(IngestReport.Stage.READ, w.readWall, w.readCpu);
      time(IngestReport.Stage.DECODE, w.decodeWall, w.decodeCpu);
      if (w.id == null) {
        skip(w.source, w.failure);
        return;
      }
      String first = seen.putIfAbsent(w.id, w.source);
      if (first != null) {
        skip(w.source, "duplicate id '" + w.id + "' (first given by " + first + ")");
        return;
      }
      if (w.failure != null) {
        skip(w.source, w.failure);
        return;
      }
      if (w.unchanged) {
        unchanged++;
        listener.item(w.id, IngestListener.Outcome.UNCHANGED);
        return;
      }
      batch.add(w);
      if (batch.size() >= options.batchSize()) {
        flush();
      }
    }

    private void time(IngestReport.Stage stage, long wall, long cpu) {
      stages.put(stage, stages.get(stage).plus(wall, cpu));
    }

    /** Runs the image tower on the batch, then writes it. */
    void flush() {
      if (batch.isEmpty()) {
        return;
      }
      long t = System.nanoTime();
      long c = cpuNanos();
      List<Item> items = embedBatch();
      long t1 = System.nanoTime();
      long c1 = cpuNanos();
      time(IngestReport.Stage.TOWER, t1 - t, c1 - c);
      write(items);
      time(IngestReport.Stage.WRITE, System.nanoTime() - t1, cpuNanos() - c1);
      batch.clear();
      if (sinceCommit >= options.commitEvery()) {
        commit();
      }
    }

    void commit() {
      long t = System.nanoTime();
      long c = cpuNanos();
      bindery.commit(collection);
      sinceCommit = 0;
      time(IngestReport.Stage.COMMIT, System.nanoTime() - t, cpuNanos() - c);
    }

    /**
     * The batch's items, in order; the pending ones through one {@link Bindery#embedAll}. If the
     * tower refuses the batch, each pending item is retried alone and only the refused ones are
     * skipped (and dropped from the batch).
     */
    private List<Item> embedBatch() {
      List<Bindery.Prepared> pending = new ArrayList<>();
      for (Work w : batch) {
        if (w.prepared.pending() != null) {
          pending.add(w.prepared.pending());
        }
      }
      List<Item> embedded;
      try {
        embedded = pending.isEmpty() ? List.of() : bindery.embedAll(collection, pending);
      } catch (RuntimeException e) {
        embedded = null;
      }
      List<Item> items = new ArrayList<>(batch.size());
      int next = 0;
      for (java.util.Iterator<Work> it = batch.iterator(); it.hasNext(); ) {
        Work w = it.next();
        Item item = w.prepared.item();
        if (item == null) {
          if (embedded != null) {
            item = embedded.get(next++);
          } else {
            try {
              item = bindery.embedAll(collection, List.of(w.prepared.pending())).get(0);
            } catch (RuntimeException one) {
              skip(w.source, reason(one));
              it.remove();
              continue;
            }
          }
        }
        items.add(finish(w.spec, item));
      }
      return items;
    }

    /** Writes the batch; if the index refuses it, item by item so only the bad ones are skipped. */
    private void write(List<Item> items) {
      if (items.isEmpty()) {
        return;
      }
      try {
        bindery.add(collection, List.copyOf(items));
        for (int i = 0; i < items.size(); i++) {
          done(items.get(i), batch.get(i));
        }
      } catch (IllegalArgumentException e) {
        // find the items the index refuses; write the others
        for (int i = 0; i < items.size(); i++) {
          try {
            bindery.add(collection, items.get(i));
            done(items.get(i), batch.get(i));
          } catch (IllegalArgumentException one) {
            skip(batch.get(i).source, reason(one));
          }
        }
      }
    }

    private void done(Item item, Work w) {
      if (w.replaces) {
        replaced++;
        listener.item(item.id(), IngestListener.Outcome.REPLACED);
      } else {
        added++;
        listener.item(item.id(), IngestListener.Outcome.ADDED);
      }
      sinceCommit++;
    }

    /** Stops the workers; inputs still in flight (after a failure) are dropped unwritten. */
    @Override
    public void close() {
      if (workers != null) {
        for (Future<Work> f : inFlight) {
          f.cancel(true);
        }
        workers.shutdownNow();
      }
    }
  }

  private static String reason(RuntimeException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
