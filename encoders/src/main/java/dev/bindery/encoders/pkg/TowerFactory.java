package dev.bindery.encoders.pkg;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.Modality;
import java.util.Set;

/**
 * Builds the encoder of one tower from its {@link TowerSpec}, for the manifest {@code format}s it
 * knows. Implementations load and check their model at creation (so a bad manifest fails when the
 * package opens, not at the first query) and hand back an encoder that owns every native resource
 * it opened.
 *
 * <p>Factories outside this package register through {@link java.util.ServiceLoader}: list the
 * class in {@code META-INF/services/dev.bindery.encoders.pkg.TowerFactory}; it needs a public
 * no-argument constructor. See {@code docs/model-packages.md}, "Adding a format".
 */
public interface TowerFactory {
  /** The manifest {@code format} names this factory builds, e.g. {@code clip-vision}. */
  Set<String> formats();

  /** Whether this factory builds towers of {@code format}. */
  default boolean supports(String format) {
    return formats().contains(format);
  }

  /**
   * Checks that this factory builds the spec's format and that the tower is keyed by the modality
   * the format reads.
   *
   * @throws IllegalArgumentException naming the format and the modality found
   */
  default void requireFormat(TowerSpec spec, Modality reads) {
    if (!supports(spec.format())) {
      throw new IllegalArgumentException(
          reads
              + " tower factory does not build format '"
              + spec.format()
              + "'; it builds "
              + formats());
    }
    if (spec.modality() != reads) {
      throw new IllegalArgumentException(
          "format '"
              + spec.format()
              + "' reads "
              + reads
              + ", but the tower is keyed '"
              + spec.modality()
              + "'");
    }
  }

  /**
   * Creates the tower's encoder.
   *
   * @param spec the tower as the manifest describes it
   * @param files resolves the spec's file references (relative or {@code classpath:})
   * @throws IllegalArgumentException if the spec or the files it names are wrong, saying what was
   *     found (e.g. the inputs and outputs the model actually has)
   */
  Encoder<?> create(TowerSpec spec, PackageFiles files);
}
