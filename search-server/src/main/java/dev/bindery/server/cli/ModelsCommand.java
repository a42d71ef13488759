package dev.bindery.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.encoders.pkg.ModelCatalog;
import dev.bindery.indexer.BadArgumentException;
import dev.bindery.server.models.HubClient;
import dev.bindery.server.models.HubSettings;
import dev.bindery.server.models.ModelPuller;
import dev.bindery.server.models.RepoFile;
import dev.bindery.server.models.TerminalPullProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bindery models}: pull published models into the model cache, list and remove them. */
@Command(
    name = "models",
    mixinStandardHelpOptions = true,
    description = {
      "Download published CLIP-style models (immich, transformers.js, Hugging Face, open_clip"
          + " layouts) into the model cache, list and remove them. A pulled model is used by"
          + " name: bindery index --model clip-vit-b32 ...",
      "Cache: $BINDERY_MODEL_CACHE, else $XDG_CACHE_HOME/bindery/models, else"
          + " ~/.cache/bindery/models (--cache DIR for one command). Hub: $HF_ENDPOINT (default"
          + " https://huggingface.co), token $HF_TOKEN, proxies from https_proxy / no_proxy."
    },
    subcommands = {
      ModelsCommand.Pull.class,
      ModelsCommand.ListModels.class,
      ModelsCommand.Remove.class
    })
final class ModelsCommand implements Runnable {
  @Spec private CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "models needs a subcommand; one of " + spec.subcommands().keySet());
  }

  /** {@code --cache DIR}, shared by the subcommands. */
  static final class CacheOption {
    @Option(
        names = "--cache",
        paramLabel = "DIR",
        description =
            "Model cache folder (default: $BINDERY_MODEL_CACHE or ~/.cache/bindery/models).")
    Path dir;

    ModelCache cache(BinderyCli cli) {
      return dir != null ? new ModelCache(dir) : ModelCache.fromEnvironment(cli.env());
    }
  }

  private static void printJson(PrintWriter out, Object body) {
    try {
      out.println(new ObjectMapper().writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON output", e);
    }
    out.flush();
  }

  /** {@code bindery models pull}. */
  @Command(
      name = "pull",
      mixinStandardHelpOptions = true,
      description = {
        "Download a model into the cache: a catalog name (see 'models list --available') or a"
            + " repository id owner/name. Shows the repository, layout, size and license first;"
            + " resumes partial downloads; verifies every file against the hub's SHA-256 / git"
            + " checksums; the model appears in the cache complete or not at all.",
        "Exit codes: 0 pulled (or already up to date), 1 failure, 2 bad command line or unknown"
            + " name."
      })
  static final class Pull implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private CacheOption cacheOption = new CacheOption();

    @Parameters(paramLabel = "NAME|REPO", description = "Catalog name or repository id.")
    private String model;

    @Option(
        names = "--revision",
        paramLabel = "R",
        description = "Branch, tag or commit (default: the catalog's, else main).")
    private String revision;

    @Option(
        names = "--quantized",
        description = "The quantized (int8) variant; transformers.js repositories only.")
    private boolean quantized;

    @Option(
        names = "--as",
        paramLabel = "NAME",
        description =
            "Name in the cache (default: the catalog name, or the repository's last part).")
    private String as;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    private boolean json;

    @Override
    public Integer call() {
      BinderyCli cli = BinderyCli.from(spec);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      ModelCache cache = cacheOption.cache(cli);
      HubClient hub = new HubClient(HubSettings.fromEnvironment(cli.env()));
      ModelPuller puller = new ModelPuller(hub, cache, ModelCatalog.builtIn());
      if (as != null && !ModelCache.isName(as)) {
        throw new ParameterException(spec.commandLine(), "--as: " + invalidName(as));
      }
      ModelPuller.Plan plan;
      try {
        plan = puller.plan(new ModelPuller.Request(model, revision, quantized, as));
      } catch (BadArgumentException e) {
        // An unknown model or a malformed repository id: the argument is wrong (exit 2); a layout
        // Bindery cannot read is a plain failure (exit 1) and passes.
        throw new ParameterException(spec.commandLine(), e.getMessage(), e, null, model);
      }
      err.println(
          "Pulling "
              + plan.name()
              + " from "
              + plan.listing().repo()
              + " at "
              + plan.listing().commit()
              + " ("
              + plan.layout().wireName()
              + " layout, "
              + plan.variant()
              + "): "
              + plan.files().size()
              + " files, "
              + TerminalPullProgress.size(plan.bytes()));
      err.println("License: " + plan.license());
      err.flush();
      ModelPuller.Result r =
          puller.pull(
              plan,
              new TerminalPullProgress(err, System.console() != null),
              notice -> {
                err.println("note: " + notice);
                err.flush();
              });
      if (json) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", r.name());
        body.put("dir", r.dir().toString());
        body.put("repo", r.repo());
        body.put("revision", r.revision());
        body.put("commit", r.commit());
        body.put("layout", r.layout().wireName());
        body.put("variant", r.variant());
        body.put("license", r.license());
        body.put("bytes", r.bytes());
        body.put("downloadedBytes", r.downloadedBytes());
        body.put("alreadyPresent", r.alreadyPresent());
        body.put("files", r.files().stream().map(RepoFile::path).toList());
        printJson(out, body);
      } else {
        out.println(
            (r.alreadyPresent() ? "Already up to date: " : "Pulled ")
                + r.name()
                + " ("
                + r.repo()
                + "@"
                + r.commit().substring(0, Math.min(10, r.commit().length()))
                + ", "
                + r.layout().wireName()
                + ", "
                + r.variant()
                + ", "
                + TerminalPullProgress.size(r.bytes())
                + ") in "
                + r.dir());
        out.println(
            "Use it with: bindery index --collection NAME --model " + r.name() + " PATH...");
        out.flush();
      }
      return 0;
    }
  }

  private static String invalidName(String name) {
    try {
      ModelCache.checkName(name);
      return name;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** {@code bindery models list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = {
        "List the models in the cache, or with --available the catalog of known names (with"
            + " repository, layout, license, and whether each is pulled)."
      })
  static final class ListModels implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private CacheOption cacheOption = new CacheOption();

    @Option(names = "--available", description = "List the catalog instead of the cache.")
    private boolean available;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() {
      BinderyCli cli = BinderyCli.from(spec);
      PrintWriter out = spec.commandLine().getOut();
      ModelCache cache = cacheOption.cache(cli);
      if (available) {
        List<Map<String, Object>> rows = new ArrayList<>();
        TextTable t = new TextTable("NAME", "REPOSITORY", "LAYOUT", "PULLED", "LICENSE");
        for (ModelCatalog.Entry e : ModelCatalog.builtIn().entries()) {
          boolean pulled = cache.find(e.name()).isPresent();
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", e.name());
          row.put("repo", e.repo());
          row.put("revision", e.revision());
          row.put("layout", e.layout().wireName());
          row.put("license", e.license());
          row.put("description", e.description());
          row.put("pulled", pulled);
          rows.add(row);
          t.row(e.name(), e.repo(), e.layout().wireName(), pulled ? "yes" : "no", e.license());
        }
        if (json) {
          printJson(out, Map.of("cache", cache.root().toString(), "models", rows));
        } else {
          t.print(out, "");
          out.println();
          for (ModelCatalog.Entry e : ModelCatalog.builtIn().entries()) {
            out.println(e.name() + ": " + e.description());
          }
          out.flush();
        }
        return 0;
      }
      List<ModelCache.CachedModel> models = cache.list();
      if (json) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelCache.CachedModel m : models) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("name", m.name());
          row.put("dir", m.dir().toString());
          row.put("repo", m.repo());
          row.put("revision", m.revision());
          row.put("commit", m.commit());
          row.put("layout", m.layout());
          row.put("variant", m.variant());
          row.put("license", m.license());
          row.put("bytes", m.bytes());
          row.put("files", m.files());
          rows.add(row);
        }
        printJson(out, Map.of("cache", cache.root().toString(), "models", rows));
        return 0;
      }
      if (models.isEmpty()) {
        out.println(
            "No models in "
                + cache.root()
                + ". 'bindery models list --available' shows what 'bindery models pull' can"
                + " fetch.");
      } else {
        TextTable t =
            new TextTable("NAME", "REPOSITORY", "COMMIT", "LAYOUT", "VARIANT", ">SIZE", "LICENSE");
        for (ModelCache.CachedModel m : models) {
          t.row(
              m.name(),
              m.repo(),
              m.commit().substring(0, Math.min(10, m.commit().length())),
              m.layout(),
              m.variant(),
              TerminalPullProgress.size(m.bytes()),
              m.license());
        }
        t.print(out, "");
        out.println("Cache: " + cache.root());
      }
      out.flush();
      return 0;
    }
  }

  /** {@code bindery models remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {
        "Remove a model from the cache (and any partial download of it). Collections indexed"
            + " with it can no longer embed queries until it is pulled again.",
        "Exit codes: 0 removed, 1 no such model, 2 bad command line."
      })
  static final class Remove implements Callable<Integer> {
    @Spec private CommandSpec spec;

    @Mixin private CacheOption cacheOption = new CacheOption();

    @Parameters(paramLabel = "NAME", description = "The model's name in the cache.")
    private String name;

    @Option(names = "--json", description = "Print one JSON object.")
    private boolean json;

    @Override
    public Integer call() throws Exception {
      BinderyCli cli = BinderyCli.from(spec);
      if (!ModelCache.isName(name)) {
        throw new ParameterException(spec.commandLine(), invalidName(name));
      }
      ModelCache cache = cacheOption.cache(cli);
      PrintWriter out = spec.commandLine().getOut();
      boolean removed = cache.remove(name);
      Path staging = cache.staging(name);
      boolean partial = java.nio.file.Files.exists(staging);
      ModelCache.deleteTree(staging);
      if (json) {
        printJson(out, Map.of("name", name, "removed", removed, "partialRemoved", partial));
      } else if (removed || partial) {
        out.println(
            "Removed " + name + (removed ? "" : " (a partial download)") + " from " + cache.root());
        out.flush();
      }
      if (!removed && !partial) {
        spec.commandLine()
            .getErr()
            .println(
                "bindery models remove: error: no model '"
                    + name
                    + "' in "
                    + cache.root()
                    + "; 'bindery models list' shows what is there");
        spec.commandLine().getErr().flush();
        return BinderyCli.EXIT_FAILURE;
      }
      return 0;
    }
  }
}
