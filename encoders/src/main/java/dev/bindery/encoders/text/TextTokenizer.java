package dev.bindery.encoders.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} run by DJL's tokenizers (the Rust library): truncates to a
 * maximum length, adds the model's special tokens, and leaves padding to {@link TokenBatch} so that
 * a text tokenizes the same alone and in a batch. Never downloads anything. Thread-safe; {@link
 * #close()} frees the native tokenizer.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final String source;
  private final long padId;
  private final int maxLength;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, String source, long padId, int maxLength) {
    this.tokenizer = tokenizer;
    this.source = source;
    this.padId = padId;
    this.maxLength = maxLength;
  }

  /**
   * Loads a tokenizer.
   *
   * @param json the {@code tokenizer.json} bytes
   * @param source where they came from, for messages
   * @param maxLength truncate to this many tokens, special tokens included
   * @throws IllegalArgumentException if the bytes are not a loadable {@code tokenizer.json}
   */
  public static TextTokenizer load(byte[] json, String source, int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException(
          "tokenizer " + source + ": max length must be >= 2, got " + maxLength);
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "tokenizer " + source + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject() || !root.path("model").isObject()) {
      throw new IllegalArgumentException(
          "tokenizer "
              + source
              + " is not a Hugging Face tokenizer.json: it has no 'model' object (top-level keys: "
              + (root == null ? "none" : iterToList(root.fieldNames()))
              + ")");
    }
    long padId = root.path("padding").path("pad_id").asLong(0);
    // DJL phones home (EC2 metadata) and may fetch natives unless offline mode is on; Bindery
    // never downloads, so switch it on unless the user decided otherwise.
    if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    Map<String, String> options =
        Map.of(
            "addSpecialTokens", "true",
            "padding", "false",
            "truncation", "true",
            "maxLength", Integer.toString(maxLength),
            "modelMaxLength", Integer.toString(maxLength));
    try {
      HuggingFaceTokenizer t =
          HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(json), options);
      return new TextTokenizer(t, source, padId, maxLength);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "tokenizer "
              + source
              + " cannot be loaded by the Hugging Face tokenizers library: "
              + e.getMessage(),
          e);
    }
  }

  private static List<String> iterToList(java.util.Iterator<String> it) {
    List<String> out = new ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }

  /** The id the tokenizer's own padding configuration uses (0 when it has none). */
  public long padId() {
    return padId;
  }

  /** The truncation length, special tokens included. */
  public int maxLength() {
    return maxLength;
  }

  /**
   * Tokenizes texts without padding.
   *
   * @return per text: [ids, type ids]
   * @throws IllegalArgumentException if a text is null, naming its index
   */
  public List<long[][]> encode(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      if (texts.get(i) == null) {
        throw new IllegalArgumentException("text " + i + " of " + texts.size() + " is null");
      }
    }
    Encoding[] encodings = tokenizer.batchEncode(texts);
    List<long[][]> out = new ArrayList<>(encodings.length);
    for (Encoding e : encodings) {
      out.add(new long[][] {e.getIds(), e.getTypeIds()});
    }
    return out;
  }

  /**
   * Tokenizes and pads texts into a batch.
   *
   * @param padId id at padded positions
   * @param length padded length, or 0 for the longest text of the batch
   */
  public TokenBatch tokenize(List<String> texts, long padId, int length) {
    List<long[][]> enc = encode(texts);
    return TokenBatch.pad(
        enc.stream().map(e -> e[0]).toList(), enc.stream().map(e -> e[1]).toList(), padId, length);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  @Override
  public String toString() {
    return "TextTokenizer[" + source + ", maxLength=" + maxLength + "]";
  }
}
