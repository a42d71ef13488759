package dev.bindery.encoders.pkg;

import dev.bindery.encoders.Encoder;
import dev.bindery.encoders.text.TextTowerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@link TowerFactory}s a {@link ModelPackage} may use, looked up by manifest {@code format}.
 * The first factory that supports a format builds it. Immutable and thread-safe.
 */
public final class TowerRegistry {
  private final List<TowerFactory> factories;

  /** A registry over exactly these factories, in lookup order. */
  public TowerRegistry(List<TowerFactory> factories) {
    this.factories = List.copyOf(factories);
  }

  /** The factories that ship in this module's own code (the text towers). */
  public static TowerRegistry builtIn() {
    return new TowerRegistry(List.of(new TextTowerFactory()));
  }

  /**
   * The built-in factories followed by every factory {@link ServiceLoader} finds through {@code
   * loader} (classes already present are not added twice).
   *
   * @throws IllegalStateException if a listed provider cannot be instantiated
   */
  public static TowerRegistry discover(ClassLoader loader) {
    List<TowerFactory> all = new ArrayList<>(builtIn().factories);
    try {
      for (TowerFactory f : ServiceLoader.load(TowerFactory.class, loader)) {
        if (all.stream().noneMatch(g -> g.getClass().equals(f.getClass()))) {
          all.add(f);
        }
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException(
          "cannot load a tower factory listed in META-INF/services/"
              + TowerFactory.class.getName()
              + ": "
              + e.getMessage(),
          e);
    }
    return new TowerRegistry(all);
  }

  /** {@link #discover} through the class loader that loaded this class. */
  public static TowerRegistry defaults() {
    return discover(TowerRegistry.class.getClassLoader());
  }

  /** The factories, in lookup order. */
  public List<TowerFactory> factories() {
    return factories;
  }

  /** Every format some factory supports, sorted. */
  public Set<String> formats() {
    Set<String> all = new TreeSet<>();
    factories.forEach(f -> all.addAll(f.formats()));
    return all;
  }

  /**
   * Builds a tower with the first factory that supports its format.
   *
   * @throws IllegalArgumentException for an unknown format, listing the known ones
   */
  public Encoder<?> create(TowerSpec spec, PackageFiles files) {
    Objects.requireNonNull(spec, "spec");
    for (TowerFactory f : factories) {
      if (f.supports(spec.format())) {
        return Objects.requireNonNull(
            f.create(spec, files), () -> f.getClass().getName() + " returned no encoder");
      }
    }
    throw new IllegalArgumentException(
        "unknown tower format '"
            + spec.format()
            + "' for the "
            + spec.modality()
            + " tower; known formats: "
            + formats());
  }

  @Override
  public String toString() {
    return "TowerRegistry" + formats();
  }
}
