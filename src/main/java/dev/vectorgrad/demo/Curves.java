package dev.vectorgrad.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The loss and accuracy curves of a run, per epoch: a CSV ({@code epoch,train_loss,test_loss,
 * test_accuracy,seconds}) and a PNG of two charts beside it, drawn with XChart (an example-only
 * dependency). PyTorch users would write the CSV by hand and plot with matplotlib.
 */
final class Curves {
  private final String name;
  private final List<double[]> rows = new ArrayList<>();

  Curves(String name) {
    this.name = name;
  }

  void add(int epoch, double trainLoss, double testLoss, double testAccuracy, double seconds) {
    rows.add(new double[] {epoch, trainLoss, testLoss, testAccuracy, seconds});
  }

  /**
   * Writes {@code <name>-curves.csv} and {@code <name>-curves.png} into {@code dir}; returns the PNG's path
   * (the CSV's when the PNG cannot be drawn, e.g. on a machine without fonts, which it reports).
   */
  Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path csv = dir.resolve(name + "-curves.csv");
    StringBuilder sb = new StringBuilder("epoch,train_loss,test_loss,test_accuracy,seconds\n");
    for (double[] r : rows) {
      sb.append(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.3f%n", (int) r[0], r[1], r[2], r[3], r[4]));
    }
    Files.writeString(csv, sb);

    Path png = dir.resolve(name + "-curves.png");
    try {
      drawPng(png);
      return png;
    } catch (IOException | RuntimeException | LinkageError | InternalError e) {
      // AWT without fonts (a bare container) or XChart missing from the class path: keep the CSV, say why.
      System.err.println("could not draw " + png + " (" + e + "); the curves are in " + csv);
      return csv;
    }
  }

  private void drawPng(Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double[] epochs = column(0);
    XYChart loss = new XYChartBuilder().width(640).height(420).title(name + ": cross-entropy loss")
        .xAxisTitle("epoch").yAxisTitle("loss").build();
    loss.addSeries("train (mean over the epoch)", epochs, column(1)).setMarker(SeriesMarkers.CIRCLE);
    loss.addSeries("test (after the epoch)", epochs, column(2)).setMarker(SeriesMarkers.DIAMOND);
    XYChart accuracy = new XYChartBuilder().width(640).height(420).title(name + ": test accuracy")
        .xAxisTitle("epoch").yAxisTitle("accuracy").build();
    accuracy.addSeries("test accuracy", epochs, column(3)).setMarker(SeriesMarkers.CIRCLE);
    for (XYChart c : List.of(loss, accuracy)) {
      c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
      c.getStyler().setXAxisTickMarkSpacingHint(60);
      c.getStyler().setXAxisDecimalPattern("0");
    }
    accuracy.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private double[] column(int k) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[k];
    return out;
  }
}
