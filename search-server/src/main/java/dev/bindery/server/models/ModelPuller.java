package dev.bindery.server.models;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.encoders.pkg.ModelCatalog;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.pkg.PackageFiles;
import dev.bindery.encoders.pkg.PublishedLayout;
import dev.bindery.indexer.AtomicFiles;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.indexer.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Pulls a published model into a {@link ModelCache}: resolves a catalog name or a repository id,
 * lists the repository at one commit, picks the files its layout needs, downloads them into the
 * cache's staging folder (resuming partial files), verifies each against the hub's checksum (the
 * LFS SHA-256, else the git blob id, else the ETag sent with the file), checks that the files open
 * as a model, and moves the folder into place with one rename. A model is in the cache complete or
 * not at all: a corrupt file empties the staging folder; a broken connection keeps the partial
 * files there so that the next pull resumes them.
 */
public final class ModelPuller {
  /** The file in a staging folder saying which repository, commit and variant it holds. */
  static final String STAGING_STATE = ".bindery-staging.json";

  /**
   * What to pull.
   *
   * @param model a catalog name ({@code clip-vit-b32}) or a repository id ({@code owner/name})
   * @param revision branch, tag or commit; null for the catalog's (or {@code main})
   * @param quantized the quantized variant (transformers.js repositories)
   * @param as the name in the cache; null for the catalog name or the repository's last part
   */
  public record Request(String model, String revision, boolean quantized, String as) {
    public Request {
      Objects.requireNonNull(model, "model");
    }
  }

  /**
   * What a pull did.
   *
   * @param name the model's name in the cache (what {@code --model} takes)
   * @param dir its folder
   * @param repo the repository
   * @param revision the revision asked for
   * @param commit the commit pulled
   * @param layout the repository's layout
   * @param variant {@code fp32} or {@code quantized}
   * @param license the license shown before the download
   * @param files the files in the model folder
   * @param bytes their size
   * @param downloadedBytes bytes fetched by this pull (0 when the model was already there)
   * @param alreadyPresent true when the cache already held this commit and nothing was fetched
   */
  public record Result(
      String name,
      Path dir,
      String repo,
      String revision,
      String commit,
      PublishedLayout layout,
      String variant,
      String license,
      List<RepoFile> files,
      long bytes,
      long downloadedBytes,
      boolean alreadyPresent) {}

  /**
   * The plan of a pull, known before any byte is fetched (shown to the user with the license).
   *
   * @param name cache name
   * @param listing the repository at its commit
   * @param layout its layout
   * @param files the files to fetch
   * @param license the license to show
   * @param variant fp32 or quantized
   */
  public record Plan(
      String name,
      RepoListing listing,
      PublishedLayout layout,
      List<RepoFile> files,
      String license,
      String variant) {
    public long bytes() {
      return files.stream().mapToLong(RepoFile::size).sum();
    }
  }

  private final HubClient hub;
  private final ModelCache cache;
  private final ModelCatalog catalog;

  public ModelPuller(HubClient hub, ModelCache cache, ModelCatalog catalog) {
    this.hub = Objects.requireNonNull(hub, "hub");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  /**
   * Lists the repository and decides what to fetch, without fetching.
   *
   * @throws IllegalArgumentException for an unknown name ({@link NotFoundException}), a name that
   *     is not a repository id ({@link BadArgumentException}: both are the caller's argument), or a
   *     layout Bindery cannot read (naming the files found and those needed)
   * @throws HubException when the hub refuses
   */
  public Plan plan(Request req) {
    Optional<ModelCatalog.Entry> entry = catalog.find(req.model());
    String repo;
    String revision;
    String name;
    if (entry.isPresent()) {
      repo = entry.get().repo();
      revision = req.revision() != null ? req.revision() : entry.get().revision();
      name = req.as() != null ? req.as() : entry.get().name();
    } else if (req.model().contains("/")) {
      repo = HubClient.checkRepo(req.model());
      revision = req.revision() != null ? req.revision() : "main";
      name = req.as() != null ? req.as() : repo.substring(repo.lastIndexOf('/') + 1);
    } else {
      throw new NotFoundException(
          "unknown model '"
              + req.model()
              + "': not in the catalog "
              + catalog.names()
              + " (see 'bindery models list --available') and not a repository id such as"
              + " immich-app/ViT-B-32__openai");
    }
    ModelCache.checkName(name);
    RepoListing listing = hub.listing(repo, revision);
    String where = repo + "@" + shortCommit(listing.commit());
    PublishedLayout layout =
        PublishedLayout.detect(listing.paths())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        where
                            + " is in no layout Bindery can read. It has "
                            + PublishedLayout.excerpt(listing.paths())
                            + "; Bindery needs one of: "
                            + PublishedLayout.NEEDED));
    List<RepoFile> files =
        layout.select(where, listing.paths(), req.quantized()).stream().map(listing::file).toList();
    String license =
        entry
            .map(ModelCatalog.Entry::license)
            .orElse(
                listing.license() != null
                    ? listing.license()
                    : "not stated by the repository; check " + hub.page(repo));
    return new Plan(name, listing, layout, files, license, req.quantized() ? "quantized" : "fp32");
  }

  /**
   * Downloads what {@link #plan} decided and installs it in the cache.
   *
   * @throws HubException when the hub refuses or keeps failing (partial files stay staged for a
   *     resume)
   * @throws IllegalStateException when a file fails verification (nothing is kept) or another pull
   *     of the same name is running
   */
  public Result pull(Plan plan, PullProgress progress, Consumer<String> notices) {
    Optional<ModelCache.CachedModel> present = cache.describe(plan.name());
    if (present.isPresent()
        && present.get().commit().equals(plan.listing().commit())
        && present.get().repo().equals(plan.listing().repo())
        && present.get().variant().equals(plan.variant())) {
      return result(plan, present.get().dir(), 0, true);
    }
    Path stagingRoot = cache.root().resolve(ModelCache.STAGING);
    try {
      Files.createDirectories(stagingRoot);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the model cache at " + cache.root(), e);
    }
    Path lockFile = stagingRoot.resolve(plan.name() + ".lock");
    try (FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = tryLock(ch)) {
      if (lock == null) {
        throw new IllegalStateException(
            "another pull of '" + plan.name() + "' is running (it holds " + lockFile + ")");
      }
      return pullLocked(plan, progress, notices);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + lockFile, e);
    } finally {
      progress.end();
      try {
        Files.deleteIfExists(lockFile);
      } catch (IOException ignored) {
        // a stale lock file holds no lock; the next pull reuses it
      }
    }
  }

  // Another process holding the lock gives null; this JVM holding it throws instead.
  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return null;
    }
  }

  private Result pullLocked(Plan plan, PullProgress progress, Consumer<String> notices)
      throws IOException {
    Path staging = cache.staging(plan.name());
    String state =
        plan.listing().repo() + "@" + plan.listing().commit() + " " + plan.variant() + "\n";
    Path stateFile = staging.resolve(STAGING_STATE);
    if (Files.isDirectory(staging)
        && !(Files.isRegularFile(stateFile) && Files.readString(stateFile).equals(state))) {
      // Partial files of another commit or variant: not resumable.
      ModelCache.deleteTree(staging);
    }
    Files.createDirectories(staging);
    Files.writeString(stateFile, state);

    long have = 0;
    for (RepoFile f : plan.files()) {
      Path target = staging.resolve(f.path());
      Path part = partOf(target);
      if (Files.isRegularFile(target)) {
        have += Files.size(target);
      } else if (Files.isRegularFile(part)) {
        have += Math.min(Files.size(part), f.size());
      }
    }
    progress.begin(plan.files(), plan.bytes(), have);
    long downloaded = 0;
    for (RepoFile f : plan.files()) {
      Path target = staging.resolve(f.path());
      if (Files.isRegularFile(target)) {
        // Verified by an earlier run; check again, cheaply compared with fetching it.
        progress.file(f, f.size());
        verify(plan, f, target, Optional.empty(), staging, notices);
        progress.fileDone(f);
        continue;
      }
      Path part = partOf(target);
      long before = Files.isRegularFile(part) ? Files.size(part) : 0;
      progress.file(f, Math.min(before, f.size()));
      Optional<String> etag =
          hub.download(plan.listing().repo(), plan.listing().commit(), f, part, progress::bytes);
      downloaded += f.size() - Math.min(before, f.size());
      verify(plan, f, part, etag, staging, notices);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      progress.fileDone(f);
    }
    Files.delete(stateFile);
    writeRecord(plan, staging.resolve(ModelCache.RECORD));
    try {
      ModelPackage.readManifest(PackageFiles.directory(staging, 0));
    } catch (RuntimeException e) {
      ModelCache.deleteTree(staging);
      throw new IllegalArgumentException(
          plan.listing().repo()
              + "@"
              + shortCommit(plan.listing().commit())
              + ": the downloaded files do not open as a model ("
              + e.getMessage()
              + "); nothing was kept in the cache",
          e);
    }
    Path dir = cache.install(plan.name(), staging);
    return result(plan, dir, downloaded, false);
  }

  private Result result(Plan plan, Path dir, long downloaded, boolean already) {
    return new Result(
        plan.name(),
        dir,
        plan.listing().repo(),
        plan.listing().revision(),
        plan.listing().commit(),
        plan.layout(),
        plan.variant(),
        plan.license(),
        plan.files(),
        plan.bytes(),
        downloaded,
        already);
  }

  private static Path partOf(Path target) {
    return target.resolveSibling(target.getFileName() + ".part");
  }

  /** Checks size and checksum; on a mismatch empties the staging folder and throws. */
  private void verify(
      Plan plan,
      RepoFile f,
      Path file,
      Optional<String> etag,
      Path staging,
      Consumer<String> notices)
      throws IOException {
    String where =
        plan.listing().repo() + "@" + shortCommit(plan.listing().commit()) + ": " + f.path();
    long size = Files.size(file);
    String problem = null;
    if (size != f.size()) {
      problem = "has " + size + " bytes, the hub lists " + f.size();
    } else if (f.sha256() != null) {
      String got = digest("SHA-256", file, null);
      if (!got.equalsIgnoreCase(f.sha256())) {
        problem = "has SHA-256 " + got + ", the hub's LFS checksum is " + f.sha256();
      }
    } else if (f.gitOid() != null) {
      String got = digest("SHA-1", file, "blob " + size + "\0");
      if (!got.equalsIgnoreCase(f.gitOid())) {
        problem = "has git blob id " + got + ", the hub lists " + f.gitOid();
      }
    } else if (etag.isPresent() && etag.get().matches("[0-9a-fA-F]{64}")) {
      String got = digest("SHA-256", file, null);
      if (!got.equalsIgnoreCase(etag.get())) {
        problem = "has SHA-256 " + got + ", the hub's ETag is " + etag.get();
      }
    } else if (etag.isPresent() && etag.get().matches("[0-9a-fA-F]{40}")) {
      String got = digest("SHA-1", file, "blob " + size + "\0");
      if (!got.equalsIgnoreCase(etag.get())) {
        problem = "has git blob id " + got + ", the hub's ETag is " + etag.get();
      }
    } else {
      notices.accept(where + ": the hub published no checksum; only its size was checked");
    }
    if (problem != null) {
      ModelCache.deleteTree(staging);
      throw new IllegalStateException(
          where
              + " failed verification: it "
              + problem
              + ". The download was corrupted or the mirror serves other content; nothing was"
              + " kept in the cache. Pull again to retry from scratch.");
    }
  }

  private static String digest(String algorithm, Path file, String gitHeader) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
    if (gitHeader != null) {
      md.update(gitHeader.getBytes(StandardCharsets.UTF_8));
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private void writeRecord(Plan plan, Path record) throws IOException {
    ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode r = m.createObjectNode();
    r.put("name", plan.name());
    r.put("repo", plan.listing().repo());
    r.put("revision", plan.listing().revision());
    r.put("commit", plan.listing().commit());
    r.put("endpoint", hub.settings().endpoint().toString());
    r.put("layout", plan.layout().wireName());
    r.put("variant", plan.variant());
    r.put("license", plan.license());
    r.put("pulledAt", Instant.now().toString());
    ArrayNode files = r.putArray("files");
    for (RepoFile f : plan.files()) {
      ObjectNode o = files.addObject();
      o.put("path", f.path());
      o.put("size", f.size());
      if (f.sha256() != null) {
        o.put("sha256", f.sha256());
      }
      if (f.gitOid() != null) {
        o.put("gitOid", f.gitOid());
      }
    }
    AtomicFiles.write(record, m.writeValueAsBytes(r));
  }

  static String shortCommit(String commit) {
    return commit.length() > 10 ? commit.substring(0, 10) : commit;
  }
}
