package dev.bindery.eval.data;

import dev.bindery.encoders.Modality;
import dev.bindery.eval.metrics.Judgments;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fashion-MNIST (Zalando): 28x28 gray images of clothes in 10 classes, 60,000 train and 10,000
 * test, as the four IDX files Debian's {@code dataset-fashion-mnist} installs under {@code
 * /usr/share/datasets/fashion-mnist}: {@code train-images-idx3-ubyte.gz}, {@code
 * train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz}, {@code
 * t10k-labels-idx1-ubyte.gz}. The path is that folder. Options: {@code split} ({@code test}, the
 * default, or {@code train}) and {@code limit} (first N images).
 *
 * <p>Items: {@code <split>:<n>} (gray pixels), labelled with the class name. Query set {@code
 * class->image}: one text query per class name for which all its images are relevant.
 */
public final class FashionMnistLoader implements DatasetLoader {

  /** The default location, where Debian's package installs the files. */
  public static final Path DEBIAN_PATH = Path.of("/usr/share/datasets/fashion-mnist");

  /** Class names in label order, as published with the dataset. */
  public static final List<String> CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  private static final String HOW_TO_GET =
      "install it with 'sudo apt-get install dataset-fashion-mnist' (files go to "
          + DEBIAN_PATH
          + ") or download the four .gz files from"
          + " https://github.com/zalandoresearch/fashion-mnist";

  @Override
  public String kind() {
    return "fashion-mnist";
  }

  @Override
  public Set<String> options() {
    return Set.of("split", "limit");
  }

  @Override
  public EvalDataset load(Path dir, Map<String, String> options) {
    DataFiles.requireFolder(dir, "Fashion-MNIST folder", HOW_TO_GET);
    String split = options.getOrDefault("split", "test");
    String prefix =
        switch (split) {
          case "test" -> "t10k";
          case "train" -> "train";
          default ->
              throw new IllegalArgumentException(
                  "option split must be test or train, got '" + split + "'");
        };
    int limit = DataFiles.intOption(options, "limit", Integer.MAX_VALUE);
    Path imagesFile = dir.resolve(prefix + "-images-idx3-ubyte.gz");
    Path labelsFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
    DataFiles.requireFile(imagesFile, "Fashion-MNIST images", HOW_TO_GET);
    DataFiles.requireFile(labelsFile, "Fashion-MNIST labels", HOW_TO_GET);
    IdxFile images = IdxFile.read(imagesFile);
    IdxFile labels = IdxFile.read(labelsFile);
    if (images.dims().length != 3
        || labels.dims().length != 1
        || images.dims()[0] != labels.dims()[0]) {
      throw new IllegalArgumentException(
          "Fashion-MNIST files do not match: "
              + imagesFile
              + " has sizes "
              + Arrays.toString(images.dims())
              + ", "
              + labelsFile
              + " has "
              + Arrays.toString(labels.dims())
              + " (expected [n, rows, cols] and [n])");
    }
    int n = Math.min(limit, images.dims()[0]);
    int rows = images.dims()[1];
    int cols = images.dims()[2];
    int size = rows * cols;
    Map<String, EvalItem> items = new LinkedHashMap<>();
    List<List<String>> byClass = new ArrayList<>();
    CLASSES.forEach(c -> byClass.add(new ArrayList<>()));
    for (int i = 0; i < n; i++) {
      int label = labels.unsigned(i);
      if (label >= CLASSES.size()) {
        throw new IllegalArgumentException(
            labelsFile + ": label " + label + " of image " + i + " is outside 0..9");
      }
      byte[] px = Arrays.copyOfRange(images.data(), i * size, (i + 1) * size);
      String id = split + ":" + i;
      items.put(
          id,
          new EvalItem(
              id, Modality.IMAGE, new ItemContent.GrayPixels(cols, rows, px), CLASSES.get(label)));
      byClass.get(label).add(id);
    }
    List<EvalQuery> queries = new ArrayList<>();
    for (int c = 0; c < CLASSES.size(); c++) {
      if (!byClass.get(c).isEmpty()) {
        String qid = "class:" + CLASSES.get(c);
        queries.add(
            new EvalQuery(
                qid, EvalItem.text(qid, CLASSES.get(c)), Judgments.binary(byClass.get(c))));
      }
    }
    QuerySet set = new QuerySet("class->image", List.copyOf(items.keySet()), queries);
    return new EvalDataset(
        "fashion-mnist " + dir + " (" + split + ")",
        items,
        Map.of(set.name(), set),
        CLASSES,
        List.of());
  }
}
