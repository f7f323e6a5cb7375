package io.baton.benchmarks.chart;

import io.baton.benchmarks.report.Format;
import io.baton.benchmarks.report.JmhResults;
import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import io.baton.benchmarks.report.Targets;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.DataUtils;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws the distribution of unplanned-failover latency from {@link
 * io.baton.benchmarks.FailoverBenchmark}'s JMH JSON as a PNG, with JFreeChart: above, the
 * cumulative distribution of the client-observed write unavailability per failure-detection profile
 * and node placement (log time axis, each sample a dot, the design targets from {@link Targets}
 * marked; a profile keeps its colour, node processes are drawn dashed); below, the median of each
 * part (detection, election, first commit, client) as a share of one bar per run.
 *
 * <p>Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar
 * io.baton.benchmarks.chart.FailoverChart <results dir> <out.png> [caption]}. Reads every {@code
 * *.json} in the directory; writes nothing and exits 1 if no failover results are there.
 */
public final class FailoverChart {
  private static final String BENCHMARK = "FailoverBenchmark.killLeader";
  private static final List<String> PROFILES = List.of("FAST", "DEFAULT", "WAN");
  private static final Color[] PROFILE_COLORS = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0x9467bd)
  };
  private static final String[] PARTS = {"detectionMs", "electionMs", "firstCommitMs", "clientMs"};
  private static final String[] PART_LABELS = {"detection", "election", "first commit", "client"};
  private static final Color[] PART_COLORS = {
    new Color(0x4e79a7), new Color(0xf28e2b), new Color(0x59a14f), new Color(0x9c9590)
  };

  /** Parts below this share of their bar get no label: it would not fit. */
  private static final double LABEL_MIN_SHARE = 0.07;

  private static final int WIDTH = 1000;
  private static final int CDF_HEIGHT = 540;
  private static final int PART_ROW_HEIGHT = 48;
  private static final int PARTS_EXTRA_HEIGHT = 120;
  private static final double AXIS_MIN_MS = 10;
  private static final double AXIS_MAX_MS = 10_000;
  private static final Color TARGET_COLOR = new Color(0xcc0000);
  private static final Color WHITE_LABEL = new Color(255, 255, 255, 220);

  private FailoverChart() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: FailoverChart <results dir> <out.png> [caption]");
      System.exit(2);
    }
    System.setProperty("java.awt.headless", "true");
    List<Run> runs = JmhResults.select(JmhResults.readAll(Path.of(args[0])), BENCHMARK);
    if (runs.isEmpty()) {
      System.err.println("FailoverChart: no " + BENCHMARK + " results in " + args[0]);
      System.exit(1);
    }
    String caption = args.length > 2 ? args[2] : "";
    ImageIO.write(image(runs, caption), "png", Path.of(args[1]).toFile());
    System.out.println("FailoverChart: wrote " + args[1]);
  }

  /**
   * The picture for {@code runs} of the failover benchmark, FAST, DEFAULT and WAN first, each
   * in-process before node processes.
   */
  public static BufferedImage image(List<Run> runs, String caption) {
    List<Run> ordered = new ArrayList<>(runs);
    ordered.sort(
        Comparator.comparingInt((Run r) -> rank(r.param("profile")))
            .thenComparing(Format::failoverNodes)
            .thenComparing((Run r) -> r.param("writesPerSecond").orElse(DEFAULT_LOAD)));
    int partsHeight = PARTS_EXTRA_HEIGHT + PART_ROW_HEIGHT * ordered.size();
    BufferedImage image =
        new BufferedImage(WIDTH, CDF_HEIGHT + partsHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, image.getWidth(), image.getHeight());
      distribution(ordered, caption).draw(g, new Rectangle2D.Double(0, 0, WIDTH, CDF_HEIGHT));
      parts(ordered).draw(g, new Rectangle2D.Double(0, CDF_HEIGHT, WIDTH, partsHeight));
    } finally {
      g.dispose();
    }
    return image;
  }

  /** {@code FAST in-process}, {@code FAST processes}, {@code FAST processes, 100/s}. */
  private static String name(Run r) {
    String load = r.param("writesPerSecond").orElse(DEFAULT_LOAD);
    return r.param("profile").orElse("?")
        + " "
        + Format.failoverNodes(r)
        + (load.equals(DEFAULT_LOAD) ? "" : ", " + load + "/s");
  }

  /** The benchmark's default background load, left out of the names. */
  private static final String DEFAULT_LOAD = "1000";

  private static boolean processes(Run r) {
    return Format.failoverNodes(r).equals("processes");
  }

  private static int rank(Optional<String> profile) {
    int i = PROFILES.indexOf(profile.orElse(""));
    return i < 0 ? PROFILES.size() : i;
  }

  /** The cumulative distribution of each profile's samples, one step per kill. */
  private static JFreeChart distribution(List<Run> runs, String caption) {
    XYSeriesCollection steps = new XYSeriesCollection();
    XYSeriesCollection samples = new XYSeriesCollection();
    for (Run r : runs) {
      double[] v = r.primary().raw().clone();
      Arrays.sort(v);
      XYSeries step = new XYSeries(legend(r), false, true);
      XYSeries dots = new XYSeries(legend(r) + " samples", false, true);
      for (int i = 0; i < v.length; i++) {
        double ms = Math.max(v[i], AXIS_MIN_MS);
        step.add(ms, i / (double) v.length);
        step.add(ms, (i + 1) / (double) v.length);
        dots.add(ms, (i + 1) / (double) v.length);
      }
      steps.addSeries(step);
      samples.addSeries(dots);
    }

    LogAxis x = new LogAxis("client-observed write unavailability, ms (log scale)");
    x.setRange(AXIS_MIN_MS, AXIS_MAX_MS);
    x.setTickUnit(new NumberTickUnit(1.0));
    x.setNumberFormatOverride(new DecimalFormat("#,##0"));
    x.setMinorTickCount(9);
    x.setMinorTickMarksVisible(true);
    NumberAxis y = new NumberAxis("share of kills with unavailability at most x");
    y.setRange(0, 1.02);
    y.setTickUnit(new NumberTickUnit(0.25, NumberFormat.getPercentInstance()));

    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, false);
    XYLineAndShapeRenderer dots = new XYLineAndShapeRenderer(false, true);
    dots.setDefaultSeriesVisibleInLegend(false);
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      Color color = PROFILE_COLORS[rank(r.param("profile")) % PROFILE_COLORS.length];
      lines.setSeriesPaint(i, color);
      lines.setSeriesStroke(
          i,
          processes(r)
              ? new BasicStroke(
                  2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {9, 5}, 0)
              : new BasicStroke(2.5f));
      dots.setSeriesPaint(i, color);
      dots.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }

    XYPlot plot = new XYPlot(steps, x, y, lines);
    plot.setDataset(1, samples);
    plot.setRenderer(1, dots);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainMinorGridlinesVisible(true);
    plot.setDomainMinorGridlinePaint(new Color(0xeeeeee));
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    ValueMarker median = new ValueMarker(0.5, new Color(0x999999), new BasicStroke(1f));
    median.setLabel("median");
    median.setLabelBackgroundColor(WHITE_LABEL);
    median.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
    median.setLabelTextAnchor(TextAnchor.TOP_LEFT);
    plot.addRangeMarker(median);
    int row = 0;
    for (String p : Targets.FAILOVER_PROFILES) {
      double limit = Targets.failoverMedianMs(p).orElseThrow();
      ValueMarker target =
          new ValueMarker(
              limit,
              TARGET_COLOR,
              new BasicStroke(
                  1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6, 4}, 0));
      target.setLabel(p + " target: median ≤ " + Format.limit(limit) + " ms");
      target.setLabelPaint(TARGET_COLOR);
      target.setLabelBackgroundColor(WHITE_LABEL);
      target.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      target.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      target.setLabelOffset(new RectangleInsets(6 + 16 * row, 4, 0, 0));
      plot.addDomainMarker(target);
      row++;
    }

    JFreeChart chart =
        framed(
            "Baton unplanned failover: leader killed → first write acknowledged by the new leader",
            16,
            plot);
    if (!caption.isEmpty()) {
      chart.addSubtitle(new TextTitle(caption, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    }
    return chart;
  }

  /** {@code FAST in-process: 8 kills, p50 264 ms, p99 583 ms}. */
  private static String legend(Run r) {
    Metric m = r.primary();
    return name(r)
        + ": "
        + m.raw().length
        + " kills, p50 "
        + Format.ms(m.percentile(50))
        + ", p99 "
        + Format.ms(m.percentile(99))
        + ", max "
        + Format.ms(m.max());
  }

  /** One bar per profile: the median of each part as a share of the sum of the medians. */
  private static JFreeChart parts(List<Run> runs) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Run r : runs) {
      for (int p = 0; p < PARTS.length; p++) {
        double median = r.secondaryP50(PARTS[p]);
        data.addValue(Double.isNaN(median) ? 0 : Math.max(0, median), PART_LABELS[p], name(r));
      }
    }
    StackedBarRenderer renderer = new StackedBarRenderer(true);
    renderer.setShadowVisible(false);
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setMaximumBarWidth(0.6);
    for (int p = 0; p < PARTS.length; p++) {
      renderer.setSeriesPaint(p, PART_COLORS[p]);
    }
    renderer.setDefaultItemLabelGenerator(new PartLabels());
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelPaint(Color.WHITE);
    renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
    renderer.setDefaultPositiveItemLabelPosition(
        new ItemLabelPosition(ItemLabelAnchor.CENTER, TextAnchor.CENTER));

    NumberAxis share = new NumberAxis("share of the sum of the part medians");
    share.setNumberFormatOverride(NumberFormat.getPercentInstance());
    share.setRange(0, 1);
    share.setTickUnit(new NumberTickUnit(0.1, NumberFormat.getPercentInstance()));
    CategoryPlot plot = new CategoryPlot(data, new CategoryAxis(), share, renderer);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xdddddd));

    return framed("Where the time goes: median of each part, ms", 14, plot);
  }

  /** A chart of {@code plot} with a bold title and a legend, on white. */
  private static JFreeChart framed(String title, int titleSize, Plot plot) {
    JFreeChart chart =
        new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, titleSize), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(4, 4, 4, 24));
    return chart;
  }

  /** Labels a part with its median in ms, unless its share of the bar is too small to hold it. */
  private static final class PartLabels extends StandardCategoryItemLabelGenerator {
    private static final long serialVersionUID = 1L;

    @Override
    public String generateLabel(CategoryDataset dataset, int row, int column) {
      Number value = dataset.getValue(row, column);
      double total = DataUtils.calculateColumnTotal(dataset, column);
      if (value == null || total <= 0 || value.doubleValue() / total < LABEL_MIN_SHARE) {
        return null;
      }
      return Format.ms(value.doubleValue());
    }
  }
}
