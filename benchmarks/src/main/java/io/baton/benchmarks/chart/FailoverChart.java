package io.baton.benchmarks.chart;

import io.baton.benchmarks.report.JmhResults;
import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws the distribution of unplanned-failover latency from {@link
 * io.baton.benchmarks.FailoverBenchmark}'s JMH JSON as an SVG: the cumulative distribution of the
 * client-observed write unavailability per failure-detection profile (log time axis, the targets
 * marked), a table of its percentiles, and the median of each part (detection, election, first
 * commit, client) as a stacked bar per profile.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.baton.benchmarks.chart.FailoverChart <results dir>
 * <out.svg> [caption]}. Reads every {@code *.json} in the directory; writes nothing and exits 1 if
 * no failover results are there.
 */
public final class FailoverChart {
  private static final String BENCHMARK = "FailoverBenchmark.killLeader";
  private static final String[] PROFILES = {"FAST", "DEFAULT", "WAN"};
  private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"};
  private static final String[] PARTS = {"detectionMs", "electionMs", "firstCommitMs", "clientMs"};
  private static final String[] PART_LABELS = {"detection", "election", "first commit", "client"};
  private static final String[] PART_COLORS = {"#4e79a7", "#f28e2b", "#59a14f", "#bab0ac"};
  private static final Map<String, Double> TARGETS = Map.of("FAST", 100.0, "DEFAULT", 250.0);

  private static final int WIDTH = 900;
  private static final int LEFT = 70;
  private static final int PLOT_WIDTH = 780;
  private static final int CDF_TOP = 70;
  private static final int CDF_HEIGHT = 260;
  private static final double LOG_MIN = 1; // 10 ms
  private static final double LOG_MAX = 4; // 10 s

  private FailoverChart() {}

  /** Entry point; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: FailoverChart <results dir> <out.svg> [caption]");
      System.exit(2);
    }
    List<Run> runs =
        JmhResults.readAll(Path.of(args[0])).stream()
            .filter(r -> r.benchmark().equals(BENCHMARK))
            .toList();
    if (runs.isEmpty()) {
      System.err.println("FailoverChart: no " + BENCHMARK + " results in " + args[0]);
      System.exit(1);
    }
    String caption = args.length > 2 ? args[2] : "";
    Files.writeString(Path.of(args[1]), svg(runs, caption), StandardCharsets.UTF_8);
    System.out.println("FailoverChart: wrote " + args[1]);
  }

  /** The chart for {@code runs} of the failover benchmark. */
  public static String svg(List<Run> runs, String caption) {
    List<Run> ordered = new ArrayList<>();
    for (String p : PROFILES) {
      runs.stream().filter(r -> r.param("profile").orElse("").equals(p)).forEach(ordered::add);
    }
    runs.stream().filter(r -> !ordered.contains(r)).forEach(ordered::add);

    int tableTop = CDF_TOP + CDF_HEIGHT + 60;
    int barsTop = tableTop + 30 + 22 * ordered.size() + 40;
    int height = barsTop + 30 * ordered.size() + 70;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            WIDTH,
            height,
            WIDTH,
            height));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(
        s,
        LEFT,
        24,
        "Baton unplanned failover: leader killed to first write acknowledged by the new leader",
        "font-size=\"15\" font-weight=\"bold\"");
    text(s, LEFT, 44, caption, "fill=\"#555\"");

    cdfAxes(s);
    for (int i = 0; i < ordered.size(); i++) {
      cdf(s, ordered.get(i), COLORS[i % COLORS.length]);
    }
    for (Map.Entry<String, Double> t : TARGETS.entrySet()) {
      double x = x(t.getValue());
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c00\""
                  + " stroke-dasharray=\"4 3\"/>%n",
              x,
              CDF_TOP,
              x,
              CDF_TOP + CDF_HEIGHT));
      text(
          s,
          x + 3,
          CDF_TOP + 12 + (t.getKey().equals("FAST") ? 0 : 14),
          "target median " + t.getKey() + " " + fmt(t.getValue()) + " ms",
          "fill=\"#c00\" font-size=\"10\"");
    }

    table(s, ordered, tableTop);
    parts(s, ordered, barsTop);
    s.append("</svg>\n");
    return s.toString();
  }

  private static void cdfAxes(StringBuilder s) {
    int bottom = CDF_TOP + CDF_HEIGHT;
    s.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
            LEFT,
            CDF_TOP,
            PLOT_WIDTH,
            CDF_HEIGHT));
    for (double decade = LOG_MIN; decade <= LOG_MAX; decade++) {
      for (int m = 1; m < 10; m++) {
        double v = m * Math.pow(10, decade);
        if (Math.log10(v) > LOG_MAX) {
          break;
        }
        double x = x(v);
        s.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                x,
                CDF_TOP,
                x,
                bottom,
                m == 1 ? "#ccc" : "#eee"));
        if (m == 1 || m == 2 || m == 5) {
          text(s, x - 10, bottom + 16, fmt(v), "fill=\"#333\"");
        }
      }
    }
    for (int pct = 0; pct <= 100; pct += 25) {
      double y = y(pct / 100.0);
      s.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
              LEFT,
              y,
              LEFT + PLOT_WIDTH,
              y));
      text(s, LEFT - 36, y + 4, pct + " %", "fill=\"#333\"");
    }
    text(
        s,
        LEFT + PLOT_WIDTH / 2.0 - 150,
        bottom + 34,
        "client-observed write unavailability, ms (log scale)",
        "fill=\"#333\"");
    text(s, LEFT, CDF_TOP - 6, "share of kills with unavailability at most x", "fill=\"#333\"");
  }

  private static void cdf(StringBuilder s, Run run, String color) {
    double[] v = run.primary().raw().clone();
    Arrays.sort(v);
    if (v.length == 0) {
      return;
    }
    StringBuilder path = new StringBuilder();
    path.append(String.format(Locale.ROOT, "M%.1f %.1f", x(v[0]), y(0)));
    for (int i = 0; i < v.length; i++) {
      double before = i / (double) v.length;
      double after = (i + 1) / (double) v.length;
      path.append(String.format(Locale.ROOT, " L%.1f %.1f", x(v[i]), y(before)));
      path.append(String.format(Locale.ROOT, " L%.1f %.1f", x(v[i]), y(after)));
    }
    s.append(
        String.format(
            Locale.ROOT,
            "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
            path,
            color));
    for (double p : v) {
      s.append(
          String.format(
              Locale.ROOT,
              "<circle cx=\"%.1f\" cy=\"%d\" r=\"2\" fill=\"%s\" fill-opacity=\"0.5\"/>%n",
              x(p),
              CDF_TOP + CDF_HEIGHT - 4,
              color));
    }
  }

  private static void table(StringBuilder s, List<Run> runs, int top) {
    String[] headers = {"profile", "kills", "p50", "p90", "p99", "max", "p99 / p50"};
    int[] xs = {LEFT, LEFT + 120, LEFT + 200, LEFT + 290, LEFT + 380, LEFT + 470, LEFT + 560};
    for (int c = 0; c < headers.length; c++) {
      text(s, xs[c], top, headers[c], "font-weight=\"bold\"");
    }
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      Metric m = r.primary();
      int y = top + 22 * (i + 1);
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              xs[0],
              y - 10,
              COLORS[i % COLORS.length]));
      text(s, xs[0] + 18, y, r.param("profile").orElse("?"), "");
      text(s, xs[1], y, Integer.toString(m.raw().length), "");
      text(s, xs[2], y, fmt(m.percentile(50)) + " ms", "");
      text(s, xs[3], y, fmt(m.percentile(90)) + " ms", "");
      text(s, xs[4], y, fmt(m.percentile(99)) + " ms", "");
      text(s, xs[5], y, fmt(m.max()) + " ms", "");
      text(
          s, xs[6], y, String.format(Locale.ROOT, "%.2f", m.percentile(99) / m.percentile(50)), "");
    }
  }

  private static void parts(StringBuilder s, List<Run> runs, int top) {
    text(
        s,
        LEFT,
        top - 14,
        "median of each part, as a share of the sum of the medians (ms in the bars)",
        "font-weight=\"bold\"");
    int barLeft = LEFT + 80;
    int barWidth = PLOT_WIDTH - 80;
    for (int i = 0; i < runs.size(); i++) {
      Run r = runs.get(i);
      double[] medians = new double[PARTS.length];
      double total = 0;
      for (int p = 0; p < PARTS.length; p++) {
        medians[p] = r.secondary(PARTS[p]).map(m -> m.percentile(50)).orElse(0.0);
        total += Math.max(0, medians[p]);
      }
      int y = top + 30 * i;
      text(s, LEFT, y + 15, r.param("profile").orElse("?"), "");
      double x = barLeft;
      for (int p = 0; p < PARTS.length; p++) {
        double w = total <= 0 ? 0 : barWidth * Math.max(0, medians[p]) / total;
        s.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>%n",
                x,
                y,
                w,
                PART_COLORS[p]));
        if (w > 34) {
          text(s, x + 4, y + 14, fmt(medians[p]), "fill=\"white\" font-size=\"11\"");
        }
        x += w;
      }
    }
    int ly = top + 30 * runs.size() + 10;
    double lx = barLeft;
    for (int p = 0; p < PARTS.length; p++) {
      s.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%.1f\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n",
              lx,
              ly,
              PART_COLORS[p]));
      text(s, lx + 16, ly + 10, PART_LABELS[p], "");
      lx += 130;
    }
  }

  private static double x(double ms) {
    double l = Math.log10(Math.max(ms, Math.pow(10, LOG_MIN)));
    l = Math.min(l, LOG_MAX);
    return LEFT + (l - LOG_MIN) / (LOG_MAX - LOG_MIN) * PLOT_WIDTH;
  }

  private static double y(double fraction) {
    return CDF_TOP + CDF_HEIGHT - fraction * CDF_HEIGHT;
  }

  private static void text(StringBuilder s, double x, double y, String t, String attrs) {
    s.append(
        String.format(
            Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>%n", x, y, attrs, escape(t)));
  }

  private static String escape(String t) {
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }
}
