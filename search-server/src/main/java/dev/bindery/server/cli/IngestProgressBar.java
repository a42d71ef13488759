package dev.bindery.server.cli;

import dev.bindery.fusion.ingest.IngestListener;
import dev.bindery.fusion.ingest.IngestReport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (items/s and ETA) for an ingest run, and the run's summary: what was
 * added, replaced, left unchanged, and what was skipped and why (grouped by reason).
 */
final class IngestProgressBar implements IngestListener, AutoCloseable {
  private static final int SHOW_SKIPS = 10;

  private final String task;
  private final PrintWriter err;
  private ProgressBar bar;

  IngestProgressBar(String task, PrintWriter err) {
    this.task = task;
    this.err = err;
  }

  @Override
  public void planned(long items) {
    bar =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(items)
            .setStyle(ProgressBarStyle.ASCII)
            .setUnit(" items", 1)
            .showSpeed()
            .setUpdateIntervalMillis(200)
            .setConsumer(new BarOnStderr(err))
            .build();
  }

  @Override
  public void item(String id, Outcome outcome) {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public void skipped(String source, String reason) {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }

  /** One line of totals, then the skipped inputs grouped by reason (at most a few of each). */
  static void printSummary(IngestReport r, PrintWriter out) {
    out.printf(
        Locale.ROOT,
        "%d added, %d replaced, %d unchanged, %d skipped in %.1f s (%.1f items/s)%n",
        r.added(),
        r.replaced(),
        r.unchanged(),
        r.skipped().size(),
        r.elapsedNanos() / 1e9,
        r.itemsPerSecond());
    if (r.skipped().isEmpty()) {
      return;
    }
    Map<String, List<IngestReport.Skip>> byReason = new LinkedHashMap<>();
    for (IngestReport.Skip s : r.skipped()) {
      byReason.computeIfAbsent(reasonKind(s.reason()), k -> new java.util.ArrayList<>()).add(s);
    }
    out.println("Skipped:");
    byReason.forEach(
        (kind, skips) -> {
          out.printf(Locale.ROOT, "  %d x %s%n", skips.size(), kind);
          skips.stream()
              .limit(SHOW_SKIPS)
              .forEach(s -> out.println("      " + s.source() + ": " + s.reason()));
          if (skips.size() > SHOW_SKIPS) {
            out.printf(Locale.ROOT, "      ... and %d more%n", skips.size() - SHOW_SKIPS);
          }
        });
  }

  /** The reason without what names the input (quoted names, paths), to group alike reasons. */
  private static String reasonKind(String reason) {
    String k = reason.replaceAll("'[^']*'", "'…'").replaceAll("\\d+", "N");
    return k.length() > 100 ? k.substring(0, 100) + "…" : k;
  }

  /** Draws the bar on one stderr line, redrawn in place. */
  static final class BarOnStderr implements ProgressBarConsumer {
    // Fits an 80-column terminal; a longer line would wrap and break the redraw.
    private static final int WIDTH = 79;

    private final PrintWriter err;

    BarOnStderr(PrintWriter err) {
      this.err = err;
    }

    @Override
    public int getMaxRenderedLength() {
      return WIDTH;
    }

    @Override
    public void accept(String rendered) {
      err.print('\r' + (rendered.length() > WIDTH ? rendered.substring(0, WIDTH) : rendered));
      err.flush();
    }

    @Override
    public void close() {
      err.println();
      err.flush();
    }
  }
}
