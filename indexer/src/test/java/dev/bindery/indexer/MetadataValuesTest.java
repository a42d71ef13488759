package dev.bindery.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.UnicodeUtil;
import org.junit.jupiter.api.Test;

/** The contract's term limit and byte count against Lucene's own. */
class MetadataValuesTest {

  @Test
  void termLimitIsLucenes() {
    assertEquals(IndexWriter.MAX_TERM_LENGTH, MetadataValues.MAX_TERM_BYTES);
  }

  @Test
  void termBytesCountLikeLuceneEncodes() {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    char[] pool = {'a', 'é', '中', '\uD83D', '\uDE00', '\u0000', '\uFFFF', 'z'};
    for (int n = 0; n < 20_000; n++) {
      StringBuilder b = new StringBuilder();
      int len = r.nextInt(12);
      for (int i = 0; i < len; i++) {
        b.append(pool[r.nextInt(pool.length)]);
      }
      String s = b.toString();
      String at = "seed " + seed + ", string " + s.codePoints().boxed().toList();
      assertEquals(
          UnicodeUtil.calcUTF16toUTF8Length(s, 0, s.length()), MetadataValues.termBytes(s), at);
      assertEquals(new BytesRef(s).length, MetadataValues.termBytes(s), at);
    }
  }
}
