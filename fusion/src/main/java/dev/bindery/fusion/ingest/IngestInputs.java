package dev.bindery.fusion.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.MediaSource;
import dev.bindery.encoders.Modality;
import dev.bindery.encoders.text.Utf8Text;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Lists a run's inputs in order and offers each item they hold to the {@link IngestPipeline}: a
 * file is one item, a folder is walked (sorted, hidden files skipped, links out of it refused
 * unless {@link IngestOptions#linksOutside()}), a {@code .jsonl} manifest gives one item per line
 * with relative paths resolved against its folder. Reading a file or parsing a line is left to the
 * worker that prepares it; what cannot even be listed is a skip in input order.
 */
final class IngestInputs {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final IngestOptions options;
  private final ItemPreparer preparer;
  private final IngestPipeline run;

  IngestInputs(IngestOptions options, ItemPreparer preparer, IngestPipeline run) {
    this.options = options;
    this.preparer = preparer;
    this.run = run;
  }

  /** How many items {@code inputs} hold, for progress; what cannot be read counts 0. */
  static long planned(List<Path> inputs) {
    long planned = 0;
    for (Path p : inputs) {
      planned += count(p);
    }
    return planned;
  }

  /** Offers every item of {@code inputs}, in order. */
  void offerAll(List<Path> inputs) {
    for (Path p : inputs) {
      if (!Files.exists(p)) {
        run.skipInOrder(p.toString(), "no such file or folder");
      } else if (Files.isDirectory(p)) {
        folder(p);
      } else if (isManifest(p)) {
        manifest(p);
      } else {
        Path abs = p.toAbsolutePath().normalize();
        run.offer(p.toString(), preparer, () -> fileSpec(abs.getFileName().toString(), abs));
      }
    }
  }

  private static boolean isManifest(Path p) {
    return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl");
  }

  private static long count(Path p) {
    try {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = walk(p)) {
          return s.count();
        }
      }
      if (isManifest(p)) {
        try (Stream<String> lines = Files.lines(p, StandardCharsets.UTF_8)) {
          return lines.filter(l -> !l.isBlank()).count();
        } catch (UncheckedIOException e) {
          return 0; // invalid UTF-8: reported when the manifest is read
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return 0; // reported as a skip when the input is read
    }
    return Files.exists(p) ? 1 : 0;
  }

  private static Stream<Path> walk(Path dir) throws IOException {
    return Files.walk(dir)
        .filter(Files::isRegularFile)
        .filter(f -> !isHidden(dir.relativize(f)))
        .sorted();
  }

  private static boolean isHidden(Path rel) {
    for (Path part : rel) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private void folder(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    List<Path> files;
    Path realRoot;
    try (Stream<Path> s = walk(root)) {
      files = s.toList();
      realRoot = root.toRealPath();
    } catch (IOException | UncheckedIOException e) {
      run.skipInOrder(dir.toString(), "cannot list the folder: " + e.getMessage());
      return;
    }
    for (Path f : files) {
      if (!options.linksOutside() && Files.isSymbolicLink(f) && !inside(f, realRoot)) {
        run.skipInOrder(
            f.toString(),
            "is a symbolic link to a file outside "
                + dir
                + " (bindery index --follow-links includes such files)");
        continue;
      }
      String id = root.relativize(f).toString().replace('\\', '/');
      run.offer(f.toString(), preparer, () -> fileSpec(id, f));
    }
  }

  private static boolean inside(Path link, Path realRoot) {
    try {
      return link.toRealPath().startsWith(realRoot);
    } catch (IOException e) {
      return false; // a dangling link: nothing to index
    }
  }

  /** A file as an item: media by its kind ({@link MediaSource#modality()}), anything else text. */
  private static ItemSpec fileSpec(String id, Path file) {
    Modality m = MediaSource.of(file).modality();
    String path = file.toString();
    return switch (m) {
      case IMAGE -> new ItemSpec(id, null, path, null, null, null, null);
      case AUDIO -> new ItemSpec(id, null, null, path, null, null, null);
      case VIDEO -> new ItemSpec(id, null, null, null, path, null, null);
      default -> new ItemSpec(id, readText(file), null, null, null, null, null);
    };
  }

  private static String readText(Path file) {
    try {
      return Utf8Text.decode(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private void manifest(Path file) {
    ItemPreparer resolving =
        preparer.resolvingAgainst(file.toAbsolutePath().normalize().getParent());
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                Files.newInputStream(file),
                StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)))) {
      String line;
      int no = 0;
      while ((line = r.readLine()) != null) {
        no++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + ":" + no;
        String text = line;
        run.offer(where, resolving, () -> ItemSpec.fromJson(parse(text, where), where));
      }
    } catch (CharacterCodingException e) {
      run.skipInOrder(file.toString(), "the rest of the manifest is not valid UTF-8");
    } catch (IOException e) {
      run.skipInOrder(file.toString(), "cannot read the manifest: " + e.getMessage());
    }
  }

  private static JsonNode parse(String line, String where) {
    try {
      return JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          where + ": not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "), e);
    }
  }
}
