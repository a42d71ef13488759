package dev.bindery.encoders.pkg;

import dev.bindery.encoders.Modality;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The tower formats this module builds, by their manifest names. A manifest's {@code format} stays
 * a string in {@link TowerSpec} because {@link TowerRegistry} also serves factories found through
 * {@link java.util.ServiceLoader}, whose formats this enum cannot know; the built-in factories turn
 * it into one of these with {@link #fromName} and switch on it.
 */
public enum TowerFormat {
  /** A sentence-transformers export: token ids, mask (and type ids) in, hidden states or pooled. */
  SENTENCE_TRANSFORMER(Modality.TEXT),
  /** A CLIP text tower: BPE ids in, projected text embedding out. */
  CLIP_TEXT(Modality.TEXT),
  /** ImageBind's text tower: 77 CLIP BPE ids in, pooled inside the model. */
  IMAGEBIND_TEXT(Modality.TEXT),
  /** A CLIP vision tower. */
  CLIP_VISION(Modality.IMAGE, Modality.VIDEO),
  /** ImageBind's vision tower (CLIP preprocessing, 224 x 224). */
  IMAGEBIND_VISION(Modality.IMAGE, Modality.VIDEO),
  /** ImageBind's depth tower (one-channel disparity). */
  IMAGEBIND_DEPTH(Modality.DEPTH),
  /** ImageBind's thermal tower (one channel). */
  IMAGEBIND_THERMAL(Modality.THERMAL),
  /** ImageBind's audio tower (log-mel clips). */
  IMAGEBIND_AUDIO(Modality.AUDIO),
  /** ImageBind's IMU tower (6 x 2000 windows). */
  IMAGEBIND_IMU(Modality.IMU),
  /** ImageBind's vision tower over video clips. */
  IMAGEBIND_VIDEO(Modality.VIDEO);

  private final Set<Modality> modalities;

  TowerFormat(Modality first, Modality... more) {
    this.modalities = EnumSet.of(first, more);
  }

  /** The manifest name, such as {@code clip-vision}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The modalities a tower of this format may read. */
  public Set<Modality> modalities() {
    return modalities;
  }

  /**
   * The format of a manifest name.
   *
   * @throws IllegalArgumentException for an unknown name, listing the valid ones
   */
  public static TowerFormat fromName(String name) {
    for (TowerFormat f : values()) {
      if (f.wireName().equals(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown tower format '"
            + name
            + "'; expected one of "
            + Arrays.stream(values()).map(TowerFormat::wireName).toList());
  }

  /** The manifest names of {@code formats}, for a factory's {@link TowerFactory#formats()}. */
  public static Set<String> wireNames(TowerFormat... formats) {
    Set<String> out = new java.util.TreeSet<>();
    for (TowerFormat f : formats) {
      out.add(f.wireName());
    }
    return Set.copyOf(out);
  }

  @Override
  public String toString() {
    return wireName();
  }
}
