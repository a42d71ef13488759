package dev.bindery.eval.regression;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The results of a {@code bindery eval} run as JSON and as Markdown. */
public final class RegressionReport {

  private final List<RegressionResult> results;

  public RegressionReport(List<RegressionResult> results) {
    this.results = List.copyOf(results);
  }

  /** True when every regression ran and passed. */
  public boolean passed() {
    return results.stream().allMatch(RegressionResult::passed);
  }

  /** The report as a JSON tree: {@code {"passed", "regressions": [{..., "metrics": [...]}]}}. */
  public ObjectNode toJson() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("passed", passed());
    ArrayNode regs = root.putArray("regressions");
    for (RegressionResult r : results) {
      ObjectNode o = regs.addObject();
      o.put("name", r.name());
      o.put("file", r.file().toString());
      o.put("dataset", r.dataset());
      o.put("model", r.model());
      o.put("passed", r.passed());
      if (r.error() != null) {
        o.put("error", r.error());
      }
      o.put("queries", r.queries());
      o.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
      ArrayNode ms = o.putArray("metrics");
      for (MetricOutcome m : r.outcomes()) {
        ObjectNode mo = ms.addObject();
        mo.put("task", m.task());
        mo.put("metric", m.metric());
        mo.put("actual", m.actual());
        mo.put("expected", m.expected());
        mo.put("tolerance", m.tolerance());
        mo.put("passed", m.passed());
      }
    }
    return root;
  }

  /** The report as Markdown: a summary table, then one table of metrics per regression. */
  public String toMarkdown() {
    StringBuilder md = new StringBuilder("# Bindery eval report\n\n");
    long passed = results.stream().filter(RegressionResult::passed).count();
    md.append(passed).append(" of ").append(results.size()).append(" regressions passed.\n\n");
    md.append("| regression | result | metrics passed | queries | seconds |\n");
    md.append("|---|---|---|---|---|\n");
    for (RegressionResult r : results) {
      long ok = r.outcomes().stream().filter(MetricOutcome::passed).count();
      md.append("| ")
          .append(cell(r.name()))
          .append(" | ")
          .append(verdict(r))
          .append(" | ")
          .append(ok)
          .append("/")
          .append(r.outcomes().size())
          .append(" | ")
          .append(r.queries())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%.1f", r.seconds()))
          .append(" |\n");
    }
    for (RegressionResult r : results) {
      md.append("\n## ").append(r.name()).append(": ").append(verdict(r)).append("\n\n");
      md.append("- file: `").append(r.file()).append("`\n");
      md.append("- dataset: ").append(cell(r.dataset())).append("\n");
      md.append("- model: `").append(r.model()).append("`\n");
      if (r.error() != null) {
        md.append("\n**Error:** ").append(cell(r.error())).append("\n");
        continue;
      }
      md.append("\n| task | metric | actual | expected | tolerance | result |\n");
      md.append("|---|---|---|---|---|---|\n");
      for (MetricOutcome m : r.outcomes()) {
        md.append("| ")
            .append(cell(m.task()))
            .append(" | ")
            .append(m.metric())
            .append(" | ")
            .append(fmt(m.actual()))
            .append(" | ")
            .append(fmt(m.expected()))
            .append(" | ")
            .append(fmt(m.tolerance()))
            .append(" | ")
            .append(m.passed() ? "pass" : "**FAIL**")
            .append(" |\n");
      }
    }
    return md.toString();
  }

  /** Writes the JSON form. */
  /** The report as one JSON document (as {@link #writeJson(Path)} writes it). */
  public String toJsonString() {
    try {
      return new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize the report", e);
    }
  }

  public void writeJson(Path file) {
    try {
      createParent(file);
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .writeValue(file.toFile(), toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Writes the Markdown form. */
  public void writeMarkdown(Path file) {
    try {
      createParent(file);
      Files.writeString(file, toMarkdown(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  private static String verdict(RegressionResult r) {
    return r.error() != null ? "ERROR" : r.passed() ? "PASS" : "FAIL";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
