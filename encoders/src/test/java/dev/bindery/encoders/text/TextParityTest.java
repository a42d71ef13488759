package dev.bindery.encoders.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.LongTensor;
import dev.bindery.encoders.pkg.ModelPackage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden parity against PyTorch: {@code encoders/parity/text_models.py} exported tiny random towers
 * with the three text signatures and stored torch's pooled, normalized outputs for fixed token ids.
 * The same ids go through the Java load + run + pool + normalize path here.
 */
class TextParityTest {
  static final double TOLERANCE = 1e-4;

  static Path parityDir(String name) {
    try {
      return Path.of(TextParityTest.class.getResource("/parity/text/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonNode golden() throws IOException {
    try (InputStream in =
        TextParityTest.class.getResourceAsStream("/parity/text/text_golden.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  static LongTensor tensor(JsonNode rows) {
    int b = rows.size();
    int t = rows.get(0).size();
    long[] data = new long[b * t];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < t; j++) {
        data[i * t + j] = rows.get(i).get(j).asLong();
      }
    }
    return new LongTensor(new long[] {b, t}, data);
  }

  static double maxAbsDiff(List<float[]> actual, JsonNode expected) {
    assertEquals(expected.size(), actual.size());
    double max = 0;
    for (int i = 0; i < actual.size(); i++) {
      assertEquals(expected.get(i).size(), actual.get(i).length, "dimension of row " + i);
      for (int d = 0; d < actual.get(i).length; d++) {
        max = Math.max(max, Math.abs(actual.get(i)[d] - expected.get(i).get(d).asDouble()));
      }
    }
    return max;
  }

  /** Writes a manifest into {@code dir} that points at an existing model by absolute path. */
  static Path manifest(
      Path dir, String format, Path onnx, String inputs, String output, String pooling, int dim)
      throws IOException {
    Files.writeString(
        dir.resolve("bindery-model.json"),
        """
        {"name": "t", "version": "1", "license": "Apache-2.0", "space": "t", "dimension": %d,
         "towers": {"text": {"format": "%s", "onnx": "%s",
           "tokenizer": "%s",
           "inputs": %s, "output": "%s", "pooling": "%s"}}}
        """
            .formatted(
                dim,
                format,
                onnx.toString().replace("\\", "/"),
                parityDir("tiny-tokenizer.json").toString().replace("\\", "/"),
                inputs,
                output,
                pooling));
    return dir;
  }

  @Test
  void sentenceTransformerMeanPoolingMatchesTorch() throws IOException {
    JsonNode g = golden().get("bert");
    TokenBatch batch =
        new TokenBatch(
            tensor(g.get("input_ids")),
            tensor(g.get("attention_mask")),
            tensor(g.get("token_type_ids")));
    try (ModelPackage p = ModelPackage.open(parityDir("tiny-bert"))) {
      TextEncoder enc = (TextEncoder) p.textEncoder();
      assertEquals(Pooling.MEAN, enc.pooling());
      double diff = maxAbsDiff(enc.encodeTokens(batch), g.get("mean_normalized"));
      System.out.println("tiny-bert mean pooling: max abs diff vs torch = " + diff);
      assertTrue(diff <= TOLERANCE, "max abs diff " + diff);
    }
  }

  @Test
  void sentenceTransformerClsPoolingMatchesTorch(@TempDir Path dir) throws IOException {
    JsonNode g = golden().get("bert");
    TokenBatch batch =
        new TokenBatch(
            tensor(g.get("input_ids")),
            tensor(g.get("attention_mask")),
            tensor(g.get("token_type_ids")));
    manifest(
        dir,
        "sentence-transformer",
        parityDir("tiny-bert").resolve("model.onnx"),
        "{}",
        "last_hidden_state",
        "cls",
        32);
    try (ModelPackage p = ModelPackage.open(dir)) {
      double diff =
          maxAbsDiff(((TextEncoder) p.textEncoder()).encodeTokens(batch), g.get("cls_normalized"));
      System.out.println("tiny-bert cls pooling: max abs diff vs torch = " + diff);
      assertTrue(diff <= TOLERANCE, "max abs diff " + diff);
    }
  }

  @Test
  void clipTextEmbedsMatchTorch() throws IOException {
    JsonNode g = golden().get("clip");
    TokenBatch batch =
        TokenBatch.pad(rows(g.get("input_ids"), g.get("attention_mask")), null, 0, 0);
    assertEquals(tensor(g.get("attention_mask")), batch.attentionMask());
    try (ModelPackage p = ModelPackage.open(parityDir("tiny-clip-text"))) {
      double diff =
          maxAbsDiff(
              ((TextEncoder) p.textEncoder()).encodeTokens(batch), g.get("text_embeds_normalized"));
      System.out.println("tiny-clip-text text_embeds: max abs diff vs torch = " + diff);
      assertTrue(diff <= TOLERANCE, "max abs diff " + diff);
    }
  }

  @Test
  void clipTextEosPoolingOfHiddenStatesMatchesTorch(@TempDir Path dir) throws IOException {
    JsonNode g = golden().get("clip");
    TokenBatch batch =
        TokenBatch.pad(rows(g.get("input_ids"), g.get("attention_mask")), null, 0, 0);
    manifest(
        dir,
        "clip-text",
        parityDir("tiny-clip-text").resolve("model.onnx"),
        "{}",
        "last_hidden_state",
        "eos",
        32);
    try (ModelPackage p = ModelPackage.open(dir)) {
      double diff =
          maxAbsDiff(
              ((TextEncoder) p.textEncoder()).encodeTokens(batch), g.get("eos_hidden_normalized"));
      System.out.println("tiny-clip-text eos pooling: max abs diff vs torch = " + diff);
      assertTrue(diff <= TOLERANCE, "max abs diff " + diff);
    }
  }

  @Test
  void imageBindTextMatchesTorchAndPadsTo77() throws IOException {
    JsonNode all = golden();
    JsonNode g = all.get("imagebind");
    TokenBatch batch =
        TokenBatch.pad(
            rows(all.get("clip").get("input_ids"), all.get("clip").get("attention_mask")),
            null,
            0,
            77);
    assertEquals(tensor(g.get("text")), batch.inputIds());
    try (ModelPackage p = ModelPackage.open(parityDir("tiny-imagebind-text"))) {
      TextEncoder enc = (TextEncoder) p.textEncoder();
      double diff = maxAbsDiff(enc.encodeTokens(batch), g.get("embeddings_normalized"));
      System.out.println("tiny-imagebind-text: max abs diff vs torch = " + diff);
      assertTrue(diff <= TOLERANCE, "max abs diff " + diff);
      // Real text is padded to the model's fixed 77 tokens with 0, as ImageBind's tokenizer does.
      TokenBatch tokenized = enc.preprocess(List.of("a dog", "a longer sentence about a dog"));
      assertEquals(77, tokenized.length());
      assertEquals(0, tokenized.id(0, 76));
      assertEquals(24, enc.encode("a dog").length);
    }
  }

  /** Unpadded id rows: the prefix of each row where the mask is 1. */
  private static List<long[]> rows(JsonNode ids, JsonNode mask) {
    java.util.ArrayList<long[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      int n = 0;
      while (n < mask.get(i).size() && mask.get(i).get(n).asInt() == 1) {
        n++;
      }
      long[] row = new long[n];
      for (int j = 0; j < n; j++) {
        row[j] = ids.get(i).get(j).asLong();
      }
      out.add(row);
    }
    return out;
  }

  @Test
  void badTextInputIsRejected() {
    try (ModelPackage p = ModelPackage.open(parityDir("tiny-bert"))) {
      var enc = p.textEncoder();
      String msg =
          assertThrows(IllegalArgumentException.class, () -> enc.encodeBatch(List.of()))
              .getMessage();
      assertTrue(msg.contains("empty batch"), msg);
      java.util.List<String> withNull = new java.util.ArrayList<>(List.of("a", "b"));
      withNull.add(null);
      msg =
          assertThrows(IllegalArgumentException.class, () -> enc.encodeBatch(withNull))
              .getMessage();
      assertTrue(msg.contains("text 2 of 3 is null"), msg);
      assertThrows(NullPointerException.class, () -> enc.encodeBatch(null));
      // Nothing was lost: the encoder still works after rejecting bad input.
      assertEquals(32, enc.encode("still works").length);
      assertEquals(32, enc.encode("").length);
    }
  }

  @Test
  void closedEncoderRefusesWork() {
    ModelPackage p = ModelPackage.open(parityDir("tiny-bert"));
    var enc = p.textEncoder();
    p.close();
    p.close();
    String msg = assertThrows(IllegalStateException.class, () -> enc.encode("x")).getMessage();
    assertTrue(msg.contains("is closed"), msg);
  }
}
