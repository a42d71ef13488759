package dev.bindery.encoders.pkg;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Known-good published models by short name ({@code clip-vit-b32}, {@code siglip-base}, ...): the
 * repository each lives in, its layout and its license, so a user can pull one without knowing
 * where it is published. The built-in catalog is {@code model-catalog.json} beside this class.
 */
public final class ModelCatalog {
  /**
   * One catalog entry.
   *
   * @param name the short name, also the model's name in the cache
   * @param repo the repository, {@code owner/name}
   * @param revision the branch, tag or commit to pull ({@code main} unless pinned)
   * @param layout how the repository is laid out
   * @param license the weights' license as the publisher states it
   * @param description what the model is, in a line
   */
  public record Entry(
      String name,
      String repo,
      String revision,
      PublishedLayout layout,
      String license,
      String description) {
    public Entry {
      ModelCache.checkName(name);
      Objects.requireNonNull(repo, "repo");
      Objects.requireNonNull(revision, "revision");
      Objects.requireNonNull(layout, "layout");
      Objects.requireNonNull(license, "license");
      Objects.requireNonNull(description, "description");
    }
  }

  private static final String RESOURCE = "model-catalog.json";

  private final List<Entry> entries;

  public ModelCatalog(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** The catalog that ships in this module's jar. */
  public static ModelCatalog builtIn() {
    try (InputStream in = ModelCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing beside " + ModelCatalog.class);
      }
      JsonNode root = new ObjectMapper().readTree(in);
      List<Entry> out = new ArrayList<>();
      for (JsonNode m : root.path("models")) {
        out.add(
            new Entry(
                m.path("name").asText(),
                m.path("repo").asText(),
                m.path("revision").asText("main"),
                PublishedLayout.fromName(m.path("layout").asText()),
                m.path("license").asText(),
                m.path("description").asText()));
      }
      return new ModelCatalog(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in " + RESOURCE, e);
    }
  }

  public List<Entry> entries() {
    return entries;
  }

  /** The entry of this short name. */
  public Optional<Entry> find(String name) {
    return entries.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  /** The short names, in catalog order. */
  public List<String> names() {
    return entries.stream().map(Entry::name).toList();
  }
}
