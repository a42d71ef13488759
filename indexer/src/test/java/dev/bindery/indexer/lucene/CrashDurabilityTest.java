package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Hit;
import dev.bindery.indexer.IndexUnavailableException;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.SearchMode;
import dev.bindery.indexer.SearchResult;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability promise of {@link dev.bindery.indexer.IndexBackend}: everything acknowledged by a
 * returned commit survives {@code kill -9}, and nothing is half there. A child JVM ({@link
 * CrashIngestMain}) ingests deterministic items and reports each commit; the test kills it with
 * SIGKILL at a seeded moment, checks the index with Lucene's CheckIndex, reopens it and compares
 * every item with what the child wrote.
 */
class CrashDurabilityTest {
  static final long SEED = 0xC0FFEE_2026L;
  static final int ROUNDS = 3;

  /** Liveness guard only: how long to wait for the child's next line before giving up. */
  static final long LINE_TIMEOUT_S = 120;

  private static final Pattern COMMITTED = Pattern.compile("COMMITTED (\\d+)");
  private static final String EOF = "\u0000EOF";

  @TempDir Path tmp;

  @Test
  void everyCommittedItemSurvivesSigkillAndNoItemIsPartial() throws Exception {
    Random random = new Random(SEED);
    for (int round = 0; round < ROUNDS; round++) {
      long childSeed = random.nextLong();
      int commitsBeforeKill = 3 + random.nextInt(6);
      int delayMs = random.nextInt(400);
      String ctx =
          "seed="
              + SEED
              + " round="
              + round
              + " childSeed="
              + childSeed
              + " killAfterCommits="
              + commitsBeforeKill
              + " delayMs="
              + delayMs;
      System.out.println(ctx);
      Path data = tmp.resolve("round" + round);
      int lastCommitted = runAndKill(data, childSeed, commitsBeforeKill, delayMs, ctx);
      ctx += " lastCommitted=" + lastCommitted;
      Path indexDir =
          data.resolve("collections")
              .resolve(CrashIngestMain.COLLECTION)
              .resolve(LuceneCollection.INDEX_DIR);
      checkIndex(indexDir, ctx);
      verify(data, childSeed, lastCommitted, ctx);
    }
  }

  /** Runs the child until it has acknowledged {@code commits} commits, then SIGKILLs it. */
  private int runAndKill(Path data, long childSeed, int commits, int delayMs, String ctx)
      throws Exception {
    Path stderr = tmp.resolve(data.getFileName() + "-stderr.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                java,
                "--add-modules",
                "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                CrashIngestMain.class.getName(),
                data.toString(),
                Long.toString(childSeed))
            .redirectError(stderr.toFile());
    Process child = pb.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader =
        Thread.ofPlatform()
            .daemon()
            .name("child-stdout")
            .start(
                () -> {
                  try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                      lines.add(line);
                    }
                  } catch (IOException e) {
                    lines.add("READ FAILED " + e);
                  } finally {
                    lines.add(EOF);
                  }
                });
    List<String> seen = new ArrayList<>();
    try {
      int acknowledged = 0;
      while (acknowledged < commits) {
        String line = lines.poll(LINE_TIMEOUT_S, TimeUnit.SECONDS);
        if (line == null || line.equals(EOF)) {
          fail(
              ctx
                  + ": child "
                  + (line == null ? "printed nothing for " + LINE_TIMEOUT_S + " s" : "exited")
                  + " after "
                  + seen
                  + "; stderr:\n"
                  + Files.readString(stderr));
        }
        seen.add(line);
        if (COMMITTED.matcher(line).matches()) {
          acknowledged++;
          if (acknowledged == 1) {
            assertLockedByChild(data, ctx);
          }
        }
      }
      // Not a timing assertion: the pause only moves the kill to a different point of the loop.
      Thread.sleep(delayMs);
    } finally {
      child.destroyForcibly();
    }
    assertTrue(child.waitFor(LINE_TIMEOUT_S, TimeUnit.SECONDS), ctx + ": child did not die");
    // 128 + 9: the JDK reports death by SIGKILL this way on Linux, i.e. no shutdown hook ran.
    assertEquals(137, child.exitValue(), ctx + ": child was not killed by SIGKILL");
    reader.join(TimeUnit.SECONDS.toMillis(LINE_TIMEOUT_S));
    // Lines the child printed before it died still count as acknowledged.
    for (String line = lines.poll(); line != null && !line.equals(EOF); line = lines.poll()) {
      seen.add(line);
    }
    int last = -1;
    for (String line : seen) {
      Matcher m = COMMITTED.matcher(line);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(1));
        assertTrue(n > last, ctx + ": commit counts go backwards: " + seen);
        last = n;
      } else {
        fail(ctx + ": unexpected child output '" + line + "'");
      }
    }
    System.out.println(ctx + " -> acknowledged " + seen.size() + " commits, last " + last);
    return last;
  }

  /** The OS-level write lock keeps a second process from opening the child's collection. */
  private static void assertLockedByChild(Path data, String ctx) throws IOException {
    try (LuceneBackend other = new LuceneBackend(data)) {
      IndexUnavailableException e =
          assertThrows(
              IndexUnavailableException.class,
              () -> other.describe(CrashIngestMain.COLLECTION),
              ctx + ": a second process opened the collection the child is writing");
      assertTrue(e.getMessage().contains("locked"), ctx + ": " + e.getMessage());
    }
  }

  private static void checkIndex(Path indexDir, String ctx) throws IOException {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (FSDirectory dir = FSDirectory.open(indexDir);
        CheckIndex checker = new CheckIndex(dir)) {
      checker.setLevel(CheckIndex.Level.MIN_LEVEL_FOR_SLOW_CHECKS);
      checker.setInfoStream(new PrintStream(log, true, StandardCharsets.UTF_8));
      // Not asserted (it depends on where the kill fell), but shows that uncommitted segments
      // were on disk: the files no commit references.
      Set<String> referenced = new HashSet<>(SegmentInfos.readLatestCommit(dir).files(true));
      long stray =
          Arrays.stream(dir.listAll())
              .filter(f -> !referenced.contains(f) && !f.equals("write.lock"))
              .count();
      System.out.println(ctx + " -> files of uncommitted work left by the kill: " + stray);
      CheckIndex.Status status = checker.checkIndex();
      assertTrue(
          status.clean,
          () -> ctx + ": CheckIndex found problems:\n" + log.toString(StandardCharsets.UTF_8));
    }
  }

  private static void verify(Path data, long seed, int lastCommitted, String ctx)
      throws IOException {
    String c = CrashIngestMain.COLLECTION;
    int perCommit = CrashIngestMain.ITEMS_PER_COMMIT;
    try (LuceneBackend backend = new LuceneBackend(data)) {
      CollectionInfo info = backend.describe(c);
      long count = info.count();
      String at = ctx + " recoveredCount=" + count;
      assertTrue(count >= lastCommitted, at + ": acknowledged items were lost");
      // The child is single-threaded, so a commit holds exactly the items upserted before it: any
      // other count means uncommitted (or half-written) work became visible after the crash.
      assertEquals(0, count % perCommit, at + ": recovered state is not a commit point");

      long expectedVectorDocs = 0;
      for (int i = 0; i < count; i++) {
        Item expected = CrashIngestMain.item(seed, i);
        Optional<Item> got = backend.get(c, expected.id());
        int id = i;
        assertTrue(got.isPresent(), () -> at + ": item " + id + " is missing");
        ItemAssertions.assertSameItem(expected, got.get(), at);
        expectedVectorDocs += expected.vectorDocCount();
      }
      // Ids 0..count-1 are present and there are count items: nothing else is in the index. The
      // vector-document count rules out orphan segment documents of a half-written block.
      assertEquals(
          expectedVectorDocs, info.vectorCount(), at + ": vector documents without a whole item");
      for (int i = (int) count; i < count + perCommit; i++) {
        assertTrue(backend.get(c, Integer.toString(i)).isEmpty(), at + ": item " + i + " exists");
      }

      // Exact search finds items by their own vectors (segments grouped to their item).
      for (int i = 0; i < count; i += 97) {
        Item expected = CrashIngestMain.item(seed, i);
        float[] q =
            expected.vectors().isEmpty()
                ? expected.segments().get(1).vectors().get(CrashIngestMain.SPACE)
                : expected.vectors().get(CrashIngestMain.SPACE);
        SearchResult r =
            backend.knn(c, KnnQuery.of(CrashIngestMain.SPACE, q, 3).withMode(SearchMode.EXACT));
        assertEquals(expected.id(), r.hits().get(0).id(), at + ": self query of item " + i);
        assertEquals(1f, r.hits().get(0).score(), 1e-5, at + ": self score of item " + i);
      }

      verifyFilterSets(backend, info, (int) count, lastCommitted, at);
      System.out.println(
          at + " -> verified " + count + " items and " + info.filterSets().size() + " filter sets");

      // The recovered collection takes writes, and a new item gets a fresh ordinal: it must not
      // fall into a filter set that was saved before the crash.
      Item next = CrashIngestMain.item(seed, (int) count);
      backend.upsert(c, List.of(next));
      backend.commit(c);
      ItemAssertions.assertSameItem(next, backend.get(c, next.id()).orElseThrow(), at);
      Filter anySet = new Filter.Or(info.filterSets().stream().sorted().map(Filter::set).toList());
      assertFalse(
          members(backend, anySet).contains(next.id()),
          at + ": a new item landed in a filter set written before the crash");
    }
  }

  private static void verifyFilterSets(
      LuceneBackend backend, CollectionInfo info, int count, int lastCommitted, String at) {
    int perCommit = CrashIngestMain.ITEMS_PER_COMMIT;
    int commitsInIndex = count / perCommit;
    int acknowledged = lastCommitted / perCommit;
    // Sets are saved just after the Lucene commit: the last index commit may miss its set if the
    // kill fell in between, but an acknowledged commit never does, and no set is ever ahead.
    int required = Math.max(acknowledged, commitsInIndex - 1);
    Set<String> names = info.filterSets();
    int highest = 0;
    for (int k = 1; k <= commitsInIndex + 1; k++) {
      boolean present = names.contains(CrashIngestMain.commitSet(k));
      if (k <= required) {
        assertTrue(present, at + ": filter set " + CrashIngestMain.commitSet(k) + " was lost");
      }
      if (k > commitsInIndex) {
        assertFalse(present, at + ": filter set " + k + " is ahead of the index");
      }
      if (present) {
        highest = k;
        assertEquals(
            new TreeSet<>(CrashIngestMain.commitSetIds(k, k * perCommit)),
            members(backend, Filter.set(CrashIngestMain.commitSet(k))),
            at + ": members of filter set " + CrashIngestMain.commitSet(k));
      }
    }
    assertEquals(
        highest + 1, names.size(), at + ": unexpected filter sets " + new TreeSet<>(names));
    assertTrue(names.contains(CrashIngestMain.LATEST_SET), at + ": set 'latest' was lost");
    // 'latest' is replaced together with the c<k> sets, in the same file.
    assertEquals(
        new TreeSet<>(CrashIngestMain.latestSetIds(highest * perCommit)),
        members(backend, Filter.set(CrashIngestMain.LATEST_SET)),
        at + ": members of filter set 'latest' (expected the version of commit " + highest + ")");
  }

  /** Ids of every item matching {@code filter}, found by an exact search that returns them all. */
  private static TreeSet<String> members(LuceneBackend backend, Filter filter) {
    float[] q = new float[CrashIngestMain.DIM];
    q[0] = 1;
    KnnQuery all =
        new KnnQuery(CrashIngestMain.SPACE, q, KnnQuery.MAX_K, filter, 0, SearchMode.EXACT, true);
    SearchResult r = backend.knn(CrashIngestMain.COLLECTION, all);
    assertTrue(r.hits().size() < KnnQuery.MAX_K, "filter " + filter + " matches too many items");
    TreeSet<String> ids = new TreeSet<>();
    for (Hit h : r.hits()) {
      assertTrue(ids.add(h.id()), "item " + h.id() + " returned twice for " + filter);
    }
    return ids;
  }
}
