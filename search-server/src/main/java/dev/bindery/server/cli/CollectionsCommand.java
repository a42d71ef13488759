package dev.bindery.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.CollectionInfo;
import dev.bindery.indexer.SpaceConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code bindery collections [NAME]}: what the data directory holds. Opens the index read-only, so
 * it works beside a running server.
 */
@Command(
    name = "collections",
    description = {
      "List the collections of the data directory with their item counts and models, or, with a"
          + " NAME, describe one (spaces, metadata fields, filter sets).",
      "Opens the index read-only: it works while 'bindery serve' or 'bindery demo' runs on the"
          + " same data directory, and shows what that server has committed.",
      "Exit codes: 0 ok, 1 no such collection or data directory, 2 bad command line."
    })
final class CollectionsCommand implements Callable<Integer> {

  @ParentCommand private BinderyCli cli;

  @Mixin private BackendOptions backendOptions = new BackendOptions();

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Option(names = "--json", description = "Print one JSON document instead of a table.")
  private boolean json;

  @Parameters(
      paramLabel = "NAME",
      arity = "0..1",
      description = "A collection to describe; without it, all are listed.")
  private String name;

  @Override
  public Integer call() {
    Path data = cli.dataDir();
    backendOptions.check();
    if (backendOptions.backend == BackendOptions.Kind.LUCENE && !Files.isDirectory(data)) {
      throw new IllegalStateException(
          "no data directory "
              + data.toAbsolutePath().normalize()
              + "; index something first (bindery index) or point --data at one");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Bindery bindery = backendOptions.open(data, cli, true)) {
      List<String> names = bindery.listCollections();
      if (name != null) {
        if (!names.contains(name)) {
          throw new IllegalStateException(
              "no collection '"
                  + name
                  + "' in "
                  + backendOptions.describe(data)
                  + "; "
                  + (names.isEmpty() ? "there are none" : "there are " + names));
        }
        Map<String, Object> one = describe(bindery, name, true);
        if (json) {
          printJson(out, one);
        } else {
          printOne(out, one);
        }
      } else {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String n : names) {
          all.add(describe(bindery, n, false));
        }
        if (json) {
          printJson(out, Map.of("collections", all));
        } else if (all.isEmpty()) {
          out.println("No collections in " + backendOptions.describe(data));
        } else {
          TextTable table = new TextTable("name", "items", "model");
          for (Map<String, Object> c : all) {
            table.row(
                String.valueOf(c.get("name")),
                String.valueOf(c.get("count")),
                String.valueOf(c.getOrDefault("model", "(raw vectors)")));
          }
          table.print(out, "");
        }
      }
    }
    out.flush();
    return 0;
  }

  private static Map<String, Object> describe(Bindery bindery, String name, boolean detail) {
    CollectionInfo info = bindery.describe(name);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", name);
    c.put("count", info.count());
    bindery.modelLocation(name).ifPresent(m -> c.put("model", m));
    if (detail) {
      Map<String, Object> spaces = new LinkedHashMap<>();
      for (SpaceConfig s : info.config().spaces().values()) {
        Map<String, Object> space = new LinkedHashMap<>();
        space.put("dim", s.dim());
        space.put("similarity", s.similarity().toString());
        space.put("storage", s.storage().toString());
        space.put("m", s.m());
        space.put("ef_construction", s.beamWidth());
        spaces.put(s.name(), space);
      }
      c.put("spaces", spaces);
      Map<String, String> fields = new LinkedHashMap<>();
      info.config().fields().forEach((f, t) -> fields.put(f, t.toString()));
      c.put("fields", fields);
      c.put("vector_count", info.vectorCount());
      c.put("filter_sets", new TreeSet<>(info.filterSets()));
    }
    return c;
  }

  private static void printOne(PrintWriter out, Map<String, Object> c) {
    out.println("Collection '" + c.get("name") + "': " + c.get("count") + " items");
    out.println("  model:       " + c.getOrDefault("model", "(raw vectors)"));
    out.println("  spaces:      " + c.get("spaces"));
    out.println("  fields:      " + c.get("fields"));
    out.println("  vectors:     " + c.get("vector_count"));
    out.println("  filter sets: " + c.get("filter_sets"));
  }

  private static void printJson(PrintWriter out, Object body) {
    try {
      out.println(new ObjectMapper().writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }
}
