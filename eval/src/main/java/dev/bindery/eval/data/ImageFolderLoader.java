package dev.bindery.eval.data;

import dev.bindery.encoders.Modality;
import dev.bindery.eval.metrics.Judgments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Images in one folder per class ({@code root/<class>/*.png}, torchvision's ImageFolder layout).
 * Classes are the sub-folder names, sorted; items are {@code <class>/<file>}, labelled with their
 * class. Query set {@code class->image}: one text query per class (its folder name, underscores as
 * spaces) for which every image of the class is relevant. Option {@code limit} keeps the first N
 * images (by name) of each class.
 */
public final class ImageFolderLoader implements DatasetLoader {

  private static final Set<String> EXTENSIONS =
      Set.of("png", "jpg", "jpeg", "gif", "bmp", "webp", "tif", "tiff");

  @Override
  public String kind() {
    return "imagefolder";
  }

  @Override
  public Set<String> options() {
    return Set.of("limit");
  }

  @Override
  public EvalDataset load(Path root, Map<String, String> options) {
    DataFiles.requireFolder(
        root, "image folder", "expected one sub-folder per class holding its images");
    int limit = DataFiles.intOption(options, "limit", Integer.MAX_VALUE);
    List<String> classes = new ArrayList<>();
    Map<String, EvalItem> items = new LinkedHashMap<>();
    List<EvalQuery> queries = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
        String cls = dir.getFileName().toString();
        List<Path> files;
        try (Stream<Path> all = Files.list(dir)) {
          files =
              all.filter(Files::isRegularFile)
                  .filter(ImageFolderLoader::isImage)
                  .sorted()
                  .limit(limit)
                  .toList();
        }
        if (files.isEmpty()) {
          throw new IllegalArgumentException(
              "class folder " + dir + " holds no images (" + EXTENSIONS + ")");
        }
        classes.add(cls);
        List<String> ids = new ArrayList<>();
        for (Path f : files) {
          String id = cls + "/" + f.getFileName();
          items.put(id, new EvalItem(id, Modality.IMAGE, new ItemContent.File(f), cls));
          ids.add(id);
        }
        queries.add(
            new EvalQuery(
                "class:" + cls,
                EvalItem.text("class:" + cls, cls.replace('_', ' ')),
                Judgments.binary(ids)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException(
          "image folder " + root + " has no class sub-folders (expected root/<class>/<image>)");
    }
    QuerySet set = new QuerySet("class->image", List.copyOf(items.keySet()), queries);
    return new EvalDataset(
        "imagefolder " + root, items, Map.of(set.name(), set), classes, List.of());
  }

  private static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1));
  }
}
