package dev.bindery.eval.regression;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code bindery eval FILE|DIR... [--json OUT] [--markdown OUT]}: runs regression files and reports
 * each metric against its expectation. Exit code 0 when all pass, 1 when any metric is out of
 * tolerance or a regression could not run, 2 for a wrong command line or a regression file that
 * does not parse.
 */
@Command(
    name = "eval",
    sortOptions = false,
    description = {
      "Run regression files (YAML: dataset + checksum, model package, index settings, tasks,"
          + " expected metrics with tolerance) and report pass/fail per metric.",
      "A folder runs every *.yaml / *.yml file in it, sorted by name."
    })
public final class EvalCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  private boolean help;

  @Parameters(arity = "1..*", paramLabel = "FILE|DIR", description = "Regression files or folders.")
  private List<Path> inputs;

  @Option(
      names = "--json",
      paramLabel = "OUT",
      description =
          "Write the report as JSON to OUT; '-' prints it on stdout as the only output (one JSON"
              + " document).")
  private Path json;

  @Option(
      names = "--markdown",
      paramLabel = "OUT",
      description = "Write the report as Markdown (default with --json: OUT with .md).")
  private Path markdown;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<RegressionSpec> specs = new ArrayList<>();
    for (Path file : files()) {
      try {
        specs.add(RegressionFile.read(file));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage(), e);
      }
    }
    boolean jsonOnStdout = json != null && json.toString().equals("-");
    // Progress is not output: it goes to stderr, so stdout holds only the report.
    RegressionRunner runner = new RegressionRunner(err);
    List<RegressionResult> results = new ArrayList<>();
    for (RegressionSpec s : specs) {
      RegressionResult r = runner.run(s);
      results.add(r);
      if (r.error() != null) {
        err.println("eval: " + r.name() + ": error: " + r.error());
      }
      for (MetricOutcome m : r.failures()) {
        err.printf(
            "eval: %s: %s %s = %.4f, expected %.4f +- %.4f%n",
            r.name(), m.task(), m.metric(), m.actual(), m.expected(), m.tolerance());
      }
      err.flush();
    }
    RegressionReport report = new RegressionReport(results);
    if (jsonOnStdout) {
      out.println(report.toJsonString());
      if (markdown != null) {
        report.writeMarkdown(markdown);
        err.printf("wrote %s%n", markdown);
      }
      out.flush();
      return report.passed() ? 0 : 1;
    }
    out.println();
    out.print(report.toMarkdown());
    Path md = markdown;
    if (md == null && json != null) {
      md = json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".md");
    }
    if (json != null) {
      report.writeJson(json);
      out.printf("wrote %s%n", json);
    }
    if (md != null) {
      report.writeMarkdown(md);
      out.printf("wrote %s%n", md);
    }
    out.flush();
    return report.passed() ? 0 : 1;
  }

  private List<Path> files() {
    List<Path> files = new ArrayList<>();
    for (Path p : inputs) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> list = Files.list(p)) {
          List<Path> yaml =
              list.filter(Files::isRegularFile)
                  .filter(f -> f.getFileName().toString().matches(".*\\.ya?ml"))
                  .sorted()
                  .toList();
          if (yaml.isEmpty()) {
            throw new ParameterException(
                spec.commandLine(), "folder " + p + " holds no regression files (*.yaml, *.yml)");
          }
          files.addAll(yaml);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot list " + p, e);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new ParameterException(spec.commandLine(), "no such regression file or folder: " + p);
      }
    }
    return files;
  }
}
