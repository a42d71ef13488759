package dev.bindery.indexer.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The indexing buffer a collection's writer gets: a tenth of the heap, clamped; or the property.
 */
@ResourceLock(WriterSettings.RAM_BUFFER_PROPERTY)
class IndexingBufferTest {

  @AfterEach
  void clear() {
    System.clearProperty(WriterSettings.RAM_BUFFER_PROPERTY);
  }

  @Test
  void defaultIsATenthOfTheHeapBetween64MbAnd1Gb() {
    long tenth = Runtime.getRuntime().maxMemory() / 10 / (1024 * 1024);
    double mb = WriterSettings.ramBufferMb();
    assertEquals(Math.min(1024, Math.max(64, tenth)), mb, 0.0);
    assertTrue(mb >= 64 && mb <= 1024, "buffer " + mb);
  }

  @Test
  void propertyOverridesIt() {
    System.setProperty(WriterSettings.RAM_BUFFER_PROPERTY, " 256 ");
    assertEquals(256.0, WriterSettings.ramBufferMb(), 0.0);
  }

  @Test
  void badPropertyIsRefusedNamingItAndTheRange() {
    for (String bad : new String[] {"lots", "0", "4096", "NaN"}) {
      System.setProperty(WriterSettings.RAM_BUFFER_PROPERTY, bad);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, WriterSettings::ramBufferMb, bad);
      assertTrue(
          e.getMessage().contains("bindery.lucene.ramBufferMB=" + bad)
              && e.getMessage().contains("[1, 2047]"),
          e.getMessage());
    }
  }
}
