package dev.bindery.encoders.text;

import dev.bindery.encoders.LongTensor;
import java.util.List;
import java.util.Objects;

/**
 * A padded batch of token sequences: what text preprocessing produces and text models consume. All
 * three tensors are [batch, length]; padded positions have attention mask 0.
 *
 * @param inputIds token ids
 * @param attentionMask 1 for real tokens, 0 for padding
 * @param typeIds token type (segment) ids, all 0 for single sentences
 */
public record TokenBatch(LongTensor inputIds, LongTensor attentionMask, LongTensor typeIds) {
  public TokenBatch {
    Objects.requireNonNull(inputIds, "inputIds");
    Objects.requireNonNull(attentionMask, "attentionMask");
    Objects.requireNonNull(typeIds, "typeIds");
    if (inputIds.shape().length != 2
        || !java.util.Arrays.equals(inputIds.shape(), attentionMask.shape())
        || !java.util.Arrays.equals(inputIds.shape(), typeIds.shape())) {
      throw new IllegalArgumentException(
          "token batch tensors must share one [batch, length] shape, got ids "
              + inputIds
              + ", mask "
              + attentionMask
              + ", types "
              + typeIds);
    }
  }

  /**
   * Pads token sequences into a batch.
   *
   * @param ids one id sequence per text, each non-empty
   * @param typeIds matching type ids, or null for all zeros
   * @param padId id written at padded positions
   * @param length the padded length, or 0 to pad to the longest sequence
   * @throws IllegalArgumentException if a sequence is empty or longer than {@code length}
   */
  public static TokenBatch pad(List<long[]> ids, List<long[]> typeIds, long padId, int length) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("cannot pad an empty batch");
    }
    if (typeIds != null && typeIds.size() != ids.size()) {
      throw new IllegalArgumentException(
          ids.size() + " id sequences but " + typeIds.size() + " type id sequences");
    }
    int longest = 0;
    for (int i = 0; i < ids.size(); i++) {
      if (ids.get(i).length == 0) {
        throw new IllegalArgumentException("token sequence " + i + " is empty");
      }
      if (typeIds != null && typeIds.get(i).length != ids.get(i).length) {
        throw new IllegalArgumentException(
            "token sequence "
                + i
                + " has "
                + ids.get(i).length
                + " ids but "
                + typeIds.get(i).length
                + " type ids");
      }
      longest = Math.max(longest, ids.get(i).length);
    }
    if (length < 0) {
      throw new IllegalArgumentException("padded length must be >= 0, got " + length);
    }
    if (length > 0 && longest > length) {
      throw new IllegalArgumentException(
          "a token sequence has " + longest + " tokens, more than the padded length " + length);
    }
    int t = length > 0 ? length : longest;
    int b = ids.size();
    long[] outIds = new long[b * t];
    long[] mask = new long[b * t];
    long[] types = new long[b * t];
    java.util.Arrays.fill(outIds, padId);
    for (int i = 0; i < b; i++) {
      long[] row = ids.get(i);
      System.arraycopy(row, 0, outIds, i * t, row.length);
      java.util.Arrays.fill(mask, i * t, i * t + row.length, 1L);
      if (typeIds != null) {
        System.arraycopy(typeIds.get(i), 0, types, i * t, row.length);
      }
    }
    long[] shape = {b, t};
    return new TokenBatch(
        new LongTensor(shape, outIds),
        new LongTensor(shape.clone(), mask),
        new LongTensor(shape.clone(), types));
  }

  /** Number of sequences. */
  public int batchSize() {
    return (int) inputIds.shape()[0];
  }

  /** Padded length. */
  public int length() {
    return (int) inputIds.shape()[1];
  }

  /** Token id at (row, position). */
  public long id(int row, int position) {
    return inputIds.data()[row * length() + position];
  }

  /** Attention mask at (row, position). */
  public long mask(int row, int position) {
    return attentionMask.data()[row * length() + position];
  }

  @Override
  public String toString() {
    return "TokenBatch[" + batchSize() + " x " + length() + "]";
  }
}
