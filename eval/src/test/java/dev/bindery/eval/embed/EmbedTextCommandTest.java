package dev.bindery.eval.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.NpyArray;
import dev.bindery.encoders.pkg.ModelPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** embed-text writes exactly the vectors the text tower gives, in file order, as NumPy reads. */
class EmbedTextCommandTest {
  @TempDir Path tmp;

  @Test
  void writesTheTowerVectorsInFileOrder() throws Exception {
    Path in = tmp.resolve("captions.jsonl");
    List<String> texts = List.of("a red bicycle", "an old lighthouse at night", "two cats");
    Files.writeString(
        in,
        "{\"text\": \"a red bicycle\"}\n\n{\"text\": \"an old lighthouse at night\", \"id\": 3}\n"
            + "{\"text\": \"two cats\"}\n");
    Path out = tmp.resolve("emb.npy");
    int rc =
        new CommandLine(new EmbedTextCommand())
            .execute("--in", in.toString(), "--out", out.toString(), "--batch", "2");
    assertEquals(0, rc);
    NpyArray npy = NpyArray.parse(Files.readAllBytes(out), out.toString());
    assertArrayEquals(new long[] {3, 384}, npy.shape());
    try (ModelPackage pkg = ModelPackage.defaultText()) {
      for (int i = 0; i < texts.size(); i++) {
        float[] want = pkg.textEncoder().encode(texts.get(i));
        float[] got = java.util.Arrays.copyOfRange(npy.data(), i * 384, (i + 1) * 384);
        assertArrayEquals(want, got, 1e-6f, "row " + i);
      }
    }
    String sidecar = Files.readString(tmp.resolve("emb.npy.json"));
    assertTrue(sidecar.contains("\"smoke\": false") && sidecar.contains("\"rows\": 3"), sidecar);
    assertFalse(Files.exists(tmp.resolve("emb.npy.tmp")));
  }

  @Test
  void badInputNamesTheFileAndLine() throws Exception {
    Path in = tmp.resolve("bad.jsonl");
    Files.writeString(in, "{\"text\": \"ok\"}\n{\"caption\": \"no text field\"}\n");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EmbedTextCommand.readTexts(in));
    assertTrue(
        e.getMessage().contains("line 2") && e.getMessage().contains("text"), e.getMessage());
    Files.writeString(in, "not json\n");
    e = assertThrows(IllegalArgumentException.class, () -> EmbedTextCommand.readTexts(in));
    assertTrue(e.getMessage().contains("line 1: not JSON"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> EmbedTextCommand.readTexts(tmp.resolve("missing.jsonl")));
  }

  @Test
  void batchesAreFormedByLengthWithTiesInFileOrder() {
    assertArrayEquals(
        new int[] {1, 3, 2, 0},
        EmbedTextCommand.lengthOrder(List.of("ccc", "a", "bb", "b")),
        "shortest first; 'a' (row 1) before 'b' (row 3)");
  }
}
