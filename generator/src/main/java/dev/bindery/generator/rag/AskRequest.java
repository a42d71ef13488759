package dev.bindery.generator.rag;

import dev.bindery.indexer.Filter;
import dev.bindery.indexer.Names;
import java.util.Arrays;
import java.util.Objects;

/**
 * A question to a collection, optionally about an image.
 *
 * @param collection the collection to retrieve from
 * @param question the question; not blank, at most {@value #MAX_QUESTION_CHARS} characters
 * @param image the question's image, encoded (PNG, JPEG, GIF, BMP, WebP, TIFF), or null; at most
 *     {@value #MAX_IMAGE_BYTES} bytes
 * @param imageName a name for the image in messages (a file name); defaults to {@code "the question
 *     image"}
 * @param k how many items to retrieve, 1..{@value #MAX_K}
 * @param filter metadata filter for every retrieval, or null
 * @param interleave whether to ask for FROMAGe-style {@code [RET]} markers and retrieve for each
 */
public record AskRequest(
    String collection,
    String question,
    byte[] image,
    String imageName,
    int k,
    Filter filter,
    boolean interleave) {

  /** Longest question: far more than a question needs, small enough to embed and prompt. */
  public static final int MAX_QUESTION_CHARS = 4_000;

  /** Largest question image. */
  public static final int MAX_IMAGE_BYTES = 20 << 20;

  /** Most items retrieved for one question. */
  public static final int MAX_K = 100;

  /** Items retrieved by default. */
  public static final int DEFAULT_K = 8;

  public AskRequest {
    Names.checkName("collection", collection);
    if (question == null || question.isBlank()) {
      throw new IllegalArgumentException("question must not be empty");
    }
    if (question.length() > MAX_QUESTION_CHARS) {
      throw new IllegalArgumentException(
          "question is "
              + question.length()
              + " characters long; the limit is "
              + MAX_QUESTION_CHARS);
    }
    imageName = imageName == null || imageName.isBlank() ? "the question image" : imageName;
    if (image != null) {
      if (image.length == 0) {
        throw new IllegalArgumentException(imageName + ": the image is empty (0 bytes)");
      }
      if (image.length > MAX_IMAGE_BYTES) {
        throw new IllegalArgumentException(
            imageName
                + ": the image is "
                + image.length
                + " bytes; the limit is "
                + MAX_IMAGE_BYTES);
      }
      image = image.clone();
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("k must be in 1.." + MAX_K + ", got " + k);
    }
  }

  /** A text question with the default k, no filter, no interleaving. */
  public static AskRequest of(String collection, String question) {
    return new AskRequest(collection, question, null, null, DEFAULT_K, null, false);
  }

  public AskRequest withImage(byte[] bytes, String name) {
    return new AskRequest(collection, question, bytes, name, k, filter, interleave);
  }

  public AskRequest withK(int n) {
    return new AskRequest(collection, question, image, imageName, n, filter, interleave);
  }

  public AskRequest withFilter(Filter f) {
    return new AskRequest(collection, question, image, imageName, k, f, interleave);
  }

  public AskRequest withInterleave(boolean on) {
    return new AskRequest(collection, question, image, imageName, k, filter, on);
  }

  @Override
  public byte[] image() {
    return image == null ? null : image.clone();
  }

  public boolean hasImage() {
    return image != null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AskRequest a
        && collection.equals(a.collection)
        && question.equals(a.question)
        && Arrays.equals(image, a.image)
        && imageName.equals(a.imageName)
        && k == a.k
        && Objects.equals(filter, a.filter)
        && interleave == a.interleave;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        collection, question, Arrays.hashCode(image), imageName, k, filter, interleave);
  }

  @Override
  public String toString() {
    return "AskRequest[collection="
        + collection
        + ", question="
        + (question.length() > 80 ? question.substring(0, 80) + "..." : question)
        + ", image="
        + (image == null ? "none" : imageName + " (" + image.length + " bytes)")
        + ", k="
        + k
        + ", filter="
        + filter
        + ", interleave="
        + interleave
        + "]";
  }
}
