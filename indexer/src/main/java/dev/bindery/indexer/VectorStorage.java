package dev.bindery.indexer;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a space keeps its vectors on disk and in the HNSW graph. Quantized storages keep the raw
 * float32 vectors beside the quantized ones, so an oversampled candidate set can be rescored
 * exactly.
 */
public enum VectorStorage {
  /** Full-precision float32 vectors, 4 bytes per dimension. */
  FLOAT32("float32", 32, 1.0f),
  /** Optimized scalar quantization to unsigned 8-bit. */
  INT8("int8", 8, 1.0f),
  /** Optimized scalar quantization to 7 bits (faster integer kernels than int8). */
  INT7("int7", 7, 1.0f),
  /** Optimized scalar quantization to 4 bits, two dimensions per byte. */
  INT4("int4", 4, 1.5f),
  /** 2-bit documents with 4-bit queries. */
  INT2("int2", 2, 3.0f),
  /** 1-bit documents with 4-bit queries (BBQ-style); recall comes back through exact rescoring. */
  BINARY("binary", 1, 5.0f);

  private final String wireName;
  private final int bits;
  private final float defaultOversample;

  VectorStorage(String wireName, int bits, float defaultOversample) {
    this.wireName = wireName;
    this.bits = bits;
    this.defaultOversample = defaultOversample;
  }

  /** The name used in JSON, manifests and the CLI. */
  public String wireName() {
    return wireName;
  }

  /** Bits per dimension of the stored (quantized) vector used by the graph. */
  public int bits() {
    return bits;
  }

  /** True for every storage that approximates the float32 vector. */
  public boolean quantized() {
    return this != FLOAT32;
  }

  /**
   * How many graph candidates per unit of ef are fetched and rescored exactly, when the space does
   * not say.
   */
  public float defaultOversample() {
    return defaultOversample;
  }

  /** Parses a wire name, rejecting unknown ones with the list of valid names. */
  public static VectorStorage fromName(String name) {
    if (name == null) {
      throw new BadArgumentException("storage must not be null");
    }
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (VectorStorage s : values()) {
      if (s.wireName.equals(n)) {
        return s;
      }
    }
    if (n.equals("bbq") || n.equals("int1")) {
      return BINARY;
    }
    throw new BadArgumentException(
        "unknown vector storage '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(VectorStorage::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
