package dev.bindery.eval.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** The dataset loaders by kind; the registry regression files name loaders through. */
public final class DatasetLoaders {

  private final Map<String, DatasetLoader> loaders;

  public DatasetLoaders(List<DatasetLoader> loaders) {
    Map<String, DatasetLoader> m = new LinkedHashMap<>();
    for (DatasetLoader l : loaders) {
      if (m.put(l.kind(), l) != null) {
        throw new IllegalArgumentException("two dataset loaders of kind '" + l.kind() + "'");
      }
    }
    this.loaders = Map.copyOf(m);
  }

  /** Every loader of this module. */
  public static DatasetLoaders defaults() {
    return new DatasetLoaders(
        List.of(
            new KarpathySplitLoader(),
            new ImageFolderLoader(),
            new JsonlPairsLoader(),
            new MmbenchTsvLoader(),
            new FashionMnistLoader(),
            new CaptionedManifestLoader()));
  }

  /** The kinds there are, sorted. */
  public List<String> kinds() {
    return new ArrayList<>(new TreeSet<>(loaders.keySet()));
  }

  /** The loader of {@code kind}, or an error listing the kinds there are. */
  public DatasetLoader loader(String kind) {
    DatasetLoader l = loaders.get(kind);
    if (l == null) {
      throw new IllegalArgumentException(
          "unknown dataset kind '" + kind + "'; expected one of " + kinds());
    }
    return l;
  }

  /** Checks the options against what the loader reads, then loads. */
  public EvalDataset load(String kind, Path path, Map<String, String> options) {
    Objects.requireNonNull(path, "path");
    DatasetLoader l = loader(kind);
    for (String option : options.keySet()) {
      if (!l.options().contains(option)) {
        throw new IllegalArgumentException(
            "dataset kind '"
                + kind
                + "' has no option '"
                + option
                + "'; it reads "
                + new TreeSet<>(l.options()));
      }
    }
    return l.load(path, options);
  }
}
