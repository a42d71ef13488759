package dev.bindery.server.models;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws a pull's progress on stderr: on a terminal one line, redrawn at most ten times a second,
 * with a bar for the current file and one for the whole model; otherwise (a log, a pipe) one line
 * per verified file. Never writes to stdout.
 */
public final class TerminalPullProgress implements PullProgress {
  private static final int WIDTH = 20;

  private final PrintWriter err;
  private final boolean interactive;
  private long total;
  private long done;
  private RepoFile current;
  private long fileDone;
  private long lastDraw;
  private long startNanos;
  private long startBytes;

  public TerminalPullProgress(PrintWriter err, boolean interactive) {
    this.err = Objects.requireNonNull(err, "err");
    this.interactive = interactive;
  }

  @Override
  public void begin(List<RepoFile> files, long totalBytes, long haveBytes) {
    total = totalBytes;
    done = haveBytes;
    startNanos = System.nanoTime();
    startBytes = haveBytes;
    if (haveBytes > 0) {
      err.println("Resuming: " + size(haveBytes) + " of " + size(totalBytes) + " already here");
      err.flush();
    }
  }

  @Override
  public void file(RepoFile file, long haveBytes) {
    current = file;
    fileDone = haveBytes;
    draw(true);
  }

  @Override
  public void bytes(long n) {
    fileDone += n;
    done += n;
    draw(false);
  }

  @Override
  public void fileDone(RepoFile file) {
    if (interactive) {
      draw(true);
    } else {
      err.println(
          file.path()
              + " "
              + size(file.size())
              + " verified ("
              + percent(done, total)
              + " of all)");
      err.flush();
    }
  }

  @Override
  public void end() {
    if (interactive && current != null) {
      err.println();
      err.flush();
    }
  }

  private void draw(boolean force) {
    if (!interactive || current == null) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    double seconds = (now - startNanos) / 1e9;
    String rate = seconds > 0.5 ? " " + size((long) ((done - startBytes) / seconds)) + "/s" : "";
    err.print(
        "\r"
            + current.path()
            + " "
            + bar(fileDone, current.size())
            + " "
            + percent(fileDone, current.size())
            + " | total "
            + bar(done, total)
            + " "
            + percent(done, total)
            + " "
            + size(done)
            + "/"
            + size(total)
            + rate
            + "   ");
    err.flush();
  }

  private static String bar(long part, long whole) {
    int filled = whole <= 0 ? WIDTH : (int) Math.min(WIDTH, part * WIDTH / whole);
    return "[" + "#".repeat(Math.max(0, filled)) + " ".repeat(WIDTH - Math.max(0, filled)) + "]";
  }

  private static String percent(long part, long whole) {
    return whole <= 0 ? "100%" : Math.max(0, Math.min(100, part * 100 / whole)) + "%";
  }

  /** Bytes as B, kB, MB or GB (powers of 1000, one decimal). */
  public static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
