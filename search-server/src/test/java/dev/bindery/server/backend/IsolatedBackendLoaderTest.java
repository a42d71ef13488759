package dev.bindery.server.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.indexer.CollectionConfig;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.indexer.Item;
import dev.bindery.indexer.KnnQuery;
import dev.bindery.indexer.Similarity;
import dev.bindery.indexer.SpaceConfig;
import dev.bindery.indexer.lucene.LuceneBackend;
import io.javalin.Javalin;
import java.io.File;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

class IsolatedBackendLoaderTest {
  @TempDir Path dir;

  /** The test JVM's real class path (surefire hides it behind a manifest-only jar). */
  private static List<Path> testClassPath() {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(cp.split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .filter(Files::exists)
        .toList();
  }

  @Test
  void sharesOnlyTheContractAndLogging() throws Exception {
    ClassLoader app = getClass().getClassLoader();
    try (URLClassLoader l = IsolatedBackendLoader.classLoader(testClassPath(), "test", app)) {
      assertSame(IndexBackend.class, l.loadClass(IndexBackend.class.getName()));
      assertSame(Item.class, l.loadClass(Item.class.getName()));
      assertSame(Logger.class, l.loadClass(Logger.class.getName()));
      assertSame(String.class, l.loadClass("java.lang.String"));
      // The same jars, but classes of their own: Jetty 12 here could be Jetty 10 there.
      Class<?> javalin = l.loadClass(Javalin.class.getName());
      assertNotSame(Javalin.class, javalin);
      assertSame(l, javalin.getClassLoader());
      Class<?> lucene = l.loadClass(LuceneBackend.class.getName());
      assertNotSame(LuceneBackend.class, lucene, "the embedded backend is not shared");
    }
    try (URLClassLoader empty = IsolatedBackendLoader.classLoader(List.of(), "test", app)) {
      assertSame(IndexBackend.class, empty.loadClass(IndexBackend.class.getName()));
      assertThrows(ClassNotFoundException.class, () -> empty.loadClass(Javalin.class.getName()));
      assertThrows(
          ClassNotFoundException.class, () -> empty.loadClass(LuceneBackend.class.getName()));
    }
  }

  @Test
  void opensARealBackendFromItsOwnLoaderAndUsesIt() throws Exception {
    Path data = dir.resolve("data");
    IndexBackend b =
        IsolatedBackendLoader.open(
            "lucene-isolated", Map.of("dir", data.toString()), testClassPath(), "test jars");
    try (b) {
      assertTrue(b.toString().startsWith("isolated "), b.toString());
      b.createCollection(CollectionConfig.of("c", SpaceConfig.of("v", 3, Similarity.COSINE)));
      b.upsert(
          "c",
          List.of(
              Item.builder("x", "text").vector("v", new float[] {1, 0, 0}).build(),
              Item.builder("y", "text").vector("v", new float[] {0, 1, 0}).build()));
      b.commit("c");
      assertEquals(
          "y", b.knn("c", KnnQuery.of("v", new float[] {0.1f, 1, 0}, 1)).hits().get(0).id());
      // Default methods of the contract go through the proxy too.
      assertEquals(Optional.empty(), b.collectionSetting("c", "model"));
      // Errors are the backend's own, not reflection wrappers.
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  b.createCollection(
                      CollectionConfig.of("c", SpaceConfig.of("v", 3, Similarity.COSINE))));
      assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }
    // What the isolated copy wrote, the application's own Lucene backend reads.
    try (LuceneBackend plain = new LuceneBackend(data)) {
      assertEquals(2, plain.describe("c").count());
    }
  }

  @Test
  void namesWhatIsMissing() {
    IllegalArgumentException none =
        assertThrows(
            IllegalArgumentException.class,
            () -> IsolatedBackendLoader.open("solrcloud", Map.of(), List.of(dir), "the jars"));
    assertTrue(none.getMessage().contains("hold no 'solrcloud' backend"), none.getMessage());
    Path gone = dir.resolve("nope.jar");
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> IsolatedBackendLoader.open("solrcloud", Map.of(), List.of(gone), "the jars"));
    assertEquals("the jars: " + gone + " does not exist", missing.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IsolatedBackendLoader.open(
                    "lucene-isolated", Map.of("zk", "x"), testClassPath(), "test jars"));
    assertTrue(bad.getMessage().contains("takes exactly: dir"), bad.getMessage());
  }
}
