package dev.bindery.encoders.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.FloatTensor;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.onnx.OnnxModel;
import dev.bindery.encoders.pkg.ModelPackage;
import dev.bindery.encoders.pkg.PackageFiles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The default text tower, all-MiniLM-L6-v2, fp32 and int8, read from the langchain4j jars. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmTest {
  private ModelPackage fp32;
  private ModelPackage int8;

  @BeforeAll
  void load() {
    fp32 = ModelPackage.defaultText();
    int8 = ModelPackage.open("classpath:/models/minilm-l6-v2-q");
  }

  @AfterAll
  void close() {
    fp32.close();
    int8.close();
  }

  static double cos(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  static double maxAbsDiff(List<float[]> a, List<float[]> b) {
    assertEquals(a.size(), b.size());
    double max = 0;
    for (int i = 0; i < a.size(); i++) {
      for (int d = 0; d < a.get(i).length; d++) {
        max = Math.max(max, Math.abs(a.get(i)[d] - b.get(i)[d]));
      }
    }
    return max;
  }

  @Test
  void packagesDescribeTheDefaultTower() {
    assertEquals("minilm-l6-v2", fp32.name());
    assertEquals("minilm-l6-v2-q", int8.name());
    for (ModelPackage p : List.of(fp32, int8)) {
      assertEquals(java.util.Set.of(Modality.TEXT), p.modalities());
      Encoder<String> e = p.textEncoder();
      assertEquals("minilm-l6-v2", e.space());
      assertEquals(384, e.dimension());
      assertEquals("Apache-2.0", p.license());
    }
  }

  @Test
  void int8AgreesWithFp32On100Sentences() {
    List<String> sentences = TextFixtures.SENTENCES;
    assertEquals(100, sentences.size());
    List<float[]> a = fp32.textEncoder().encodeBatch(sentences);
    List<float[]> b = int8.textEncoder().encodeBatch(sentences);
    double sum = 0;
    double min = 1;
    for (int i = 0; i < sentences.size(); i++) {
      double c = cos(a.get(i), b.get(i));
      sum += c;
      min = Math.min(min, c);
    }
    double mean = sum / sentences.size();
    System.out.printf(
        "MiniLM int8 vs fp32 on 100 sentences: mean cos %.5f, min cos %.5f%n", mean, min);
    assertTrue(mean >= 0.98, "mean cosine " + mean);
  }

  @Test
  void paraphrasesScoreAboveUnrelatedPairs() {
    for (ModelPackage p : List.of(fp32, int8)) {
      Encoder<String> e = p.textEncoder();
      double[] para = scores(e, TextFixtures.PARAPHRASES);
      double[] unrel = scores(e, TextFixtures.UNRELATED);
      assertTrue(para.length >= 20 && unrel.length >= 20);
      double[] sorted = unrel.clone();
      Arrays.sort(sorted);
      double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
      double meanPara = Arrays.stream(para).average().orElseThrow();
      double meanUnrel = Arrays.stream(unrel).average().orElseThrow();
      double minPara = Arrays.stream(para).min().orElseThrow();
      System.out.printf(
          "%s: paraphrase mean %.3f min %.3f; unrelated mean %.3f median %.3f max %.3f%n",
          p.name(), meanPara, minPara, meanUnrel, median, sorted[sorted.length - 1]);
      for (int i = 0; i < para.length; i++) {
        assertTrue(
            para[i] > median,
            p.name()
                + ": paraphrase "
                + Arrays.toString(TextFixtures.PARAPHRASES.get(i))
                + " scores "
                + para[i]
                + ", not above the unrelated median "
                + median);
      }
      assertTrue(meanPara - meanUnrel >= 0.3, "margin " + (meanPara - meanUnrel));
    }
  }

  private static double[] scores(Encoder<String> e, List<String[]> pairs) {
    List<String> left = pairs.stream().map(p -> p[0]).toList();
    List<String> right = pairs.stream().map(p -> p[1]).toList();
    List<float[]> a = e.encodeBatch(left);
    List<float[]> b = e.encodeBatch(right);
    double[] s = new double[pairs.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = cos(a.get(i), b.get(i));
    }
    return s;
  }

  @Test
  void meanPoolingMatchesANaiveLoopOverTheModelOutput() {
    // fp32: it runs the whole batch in one call, as the raw run below does (int8 runs one text
    // per call, so its activations are quantized per text).
    TextEncoder enc = (TextEncoder) fp32.textEncoder();
    List<String> texts = TextFixtures.SENTENCES.subList(0, 12);
    TokenBatch batch = enc.preprocess(texts);
    List<float[]> actual = enc.encodeBatch(texts);
    FloatTensor hidden;
    try (OnnxModel raw =
        PackageFiles.classpath("", MiniLmTest.class.getClassLoader(), 0)
            .loadModel("all-minilm-l6-v2.onnx")) {
      Map<String, Object> feeds = new LinkedHashMap<>();
      feeds.put("input_ids", batch.inputIds());
      feeds.put("attention_mask", batch.attentionMask());
      feeds.put("token_type_ids", batch.typeIds());
      hidden = raw.run(feeds, List.of("last_hidden_state")).get("last_hidden_state");
    }
    int b = batch.batchSize();
    int t = batch.length();
    int h = (int) hidden.shape()[2];
    assertEquals(384, h);
    double max = 0;
    for (int i = 0; i < b; i++) {
      float[] expected = new float[h];
      int n = 0;
      for (int p = 0; p < t; p++) {
        if (batch.attentionMask().data()[i * t + p] == 1) {
          n++;
          for (int d = 0; d < h; d++) {
            expected[d] += hidden.data()[(i * t + p) * h + d];
          }
        }
      }
      double norm = 0;
      for (int d = 0; d < h; d++) {
        expected[d] /= n;
        norm += expected[d] * expected[d];
      }
      norm = Math.sqrt(norm);
      for (int d = 0; d < h; d++) {
        max = Math.max(max, Math.abs(expected[d] / norm - actual.get(i)[d]));
      }
    }
    System.out.println("mean pooling vs naive loop: max abs diff " + max);
    assertTrue(max <= 1e-5, "max abs diff " + max);
  }

  @Test
  void batchAndSingleEncodesAgree() {
    // The int8 model quantizes activations per tensor, so its package runs one text per model
    // call: a text must get the same vector whatever it is batched with.
    Encoder<String> e = fp32.textEncoder();
    List<String> texts = TextFixtures.SENTENCES.subList(20, 60);
    List<float[]> batched = e.encodeBatch(texts);
    List<float[]> single = new ArrayList<>();
    for (String s : texts) {
      single.add(e.encode(s));
    }
    double diff = maxAbsDiff(batched, single);
    System.out.println("fp32 batch vs single: max abs diff " + diff);
    assertTrue(diff <= 1e-5, "max abs diff " + diff);
    double int8Diff =
        maxAbsDiff(
            int8.textEncoder().encodeBatch(texts),
            texts.stream().map(int8.textEncoder()::encode).toList());
    System.out.println("int8 batch vs single (batchSize 1): max abs diff " + int8Diff);
    assertTrue(int8Diff <= 1e-6, "int8 max abs diff " + int8Diff);
  }

  @Test
  void concurrentEncodesGiveTheSameVectors() throws Exception {
    Encoder<String> e = fp32.textEncoder();
    List<String> texts = TextFixtures.SENTENCES.subList(60, 76);
    List<float[]> expected = e.encodeBatch(texts);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<float[]>>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> e.encodeBatch(texts)));
      }
      for (Future<List<float[]>> f : futures) {
        assertTrue(maxAbsDiff(expected, f.get(5, TimeUnit.MINUTES)) <= 1e-6);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void longTextIsTruncatedNotRejected() {
    String longText = "word ".repeat(2000);
    TextEncoder enc = (TextEncoder) int8.textEncoder();
    assertEquals(256, enc.preprocess(List.of(longText)).length());
    assertEquals(384, enc.encode(longText).length);
  }
}
