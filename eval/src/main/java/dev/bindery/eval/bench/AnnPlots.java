package dev.bindery.eval.bench;

import dev.bindery.indexer.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plots of an ANN side-by-side report, drawn with XChart: recall@k against QPS (log axis)
 * for every engine, in elapsed or CPU time, and build time bars (both clocks). Files are written to
 * a temporary sibling and moved into place, so a report folder never holds half a picture.
 */
public final class AnnPlots {

  private static final int WIDTH = 960;
  private static final int HEIGHT = 600;

  private AnnPlots() {}

  /**
   * Recall against QPS in {@code clock}, one line per engine (points in ef order), QPS on a log
   * axis, with a vertical line at {@code recallTarget}.
   */
  public static void writeRecallQps(
      Path png,
      List<EngineResult> engines,
      EngineResult.Clock clock,
      int k,
      double recallTarget,
      String subtitle)
      throws IOException {
    requireEngines(engines);
    headless();
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(
                "Recall@"
                    + k
                    + (clock == EngineResult.Clock.WALL
                        ? " vs single-thread QPS"
                        : " vs single-thread QPS in CPU time")
                    + (subtitle.isEmpty() ? "" : ": ")
                    + subtitle)
            .xAxisTitle("recall@" + k)
            .yAxisTitle(
                clock == EngineResult.Clock.WALL
                    ? "queries per second (log scale)"
                    : "queries per CPU second of the querying process (log scale)")
            .build();
    chart.getStyler().setYAxisLogarithmic(true);
    chart.getStyler().setLegendPosition(LegendPosition.InsideSW);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisDecimalPattern("0.00");
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    double minQps = Double.MAX_VALUE;
    double maxQps = 0;
    double minRecall = 1;
    for (EngineResult e : engines) {
      List<Double> recall = new ArrayList<>();
      List<Double> qps = new ArrayList<>();
      for (EngineResult.Run r : e.runs()) {
        double q = clock == EngineResult.Clock.WALL ? r.qps() : r.cpuQps();
        recall.add(r.recall());
        qps.add(q);
        minQps = Math.min(minQps, q);
        maxQps = Math.max(maxQps, q);
        minRecall = Math.min(minRecall, r.recall());
      }
      XYSeries s = chart.addSeries(e.name(), recall, qps);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    // A two-point series draws the target line; XChart's annotations do not follow log axes.
    XYSeries target =
        chart.addSeries(
            "recall " + recallTarget,
            List.of(recallTarget, recallTarget),
            List.of(minQps * 0.9, maxQps * 1.1));
    target.setMarker(SeriesMarkers.NONE);
    target.setLineColor(Color.GRAY);
    target.setLineStyle(
        new BasicStroke(
            1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    chart.getStyler().setXAxisMin(Math.max(0, Math.floor(minRecall * 20) / 20));
    chart.getStyler().setXAxisMax(1.0);
    write(png, chart);
  }

  /** Build time per engine as bars, elapsed and CPU side by side, the seconds on each bar. */
  public static void writeBuildBars(Path png, List<EngineResult> engines, String subtitle)
      throws IOException {
    requireEngines(engines);
    headless();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Index build time" + (subtitle.isEmpty() ? "" : ": ") + subtitle)
            .xAxisTitle("engine (build threads)")
            .yAxisTitle("seconds to one searchable graph")
            .build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsRotation(0);
    // Six engine names side by side do not fit level.
    chart.getStyler().setXAxisLabelRotation(20);
    chart.getStyler().setYAxisDecimalPattern("#,##0");
    List<String> names = new ArrayList<>();
    List<Double> elapsed = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    for (EngineResult e : engines) {
      names.add(e.name() + " (" + e.buildThreads() + ")");
      elapsed.add(e.buildSeconds());
      cpu.add(e.buildCpuSeconds());
    }
    chart.addSeries("elapsed seconds", names, elapsed);
    chart.addSeries("CPU seconds (all threads)", names, cpu);
    write(png, chart);
  }

  private static void requireEngines(List<EngineResult> engines) {
    if (engines.isEmpty()) {
      throw new IllegalArgumentException("nothing to plot: no engines");
    }
  }

  // Plots are drawn off screen; without this a machine with a DISPLAY set but unreachable fails.
  private static void headless() {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private static void write(Path png, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart)
      throws IOException {
    // The stream is the channel's: AtomicFiles forces and closes it after this returns.
    AtomicFiles.write(
        png, ch -> BitmapEncoder.saveBitmap(chart, Channels.newOutputStream(ch), BitmapFormat.PNG));
  }
}
