package io.baton.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The results in JMH JSON files ({@code -rf json}), as plain records. */
public final class JmhResults {
  private JmhResults() {}

  /** One metric: its score, unit, JMH's percentiles and every raw sample or iteration value. */
  @SuppressWarnings("ArrayRecordComponent") // parsed once, read only by this package's reports
  public record Metric(double score, double error, String unit, double[] raw) {
    /** The {@code p}-th percentile (0 to 100) of the raw values, by nearest rank. */
    public double percentile(double p) {
      if (raw.length == 0) {
        return Double.NaN;
      }
      double[] sorted = raw.clone();
      Arrays.sort(sorted);
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The largest raw value. */
    public double max() {
      return percentile(100);
    }

    /** The mean of the raw values. */
    public double mean() {
      return Arrays.stream(raw).average().orElse(Double.NaN);
    }
  }

  /**
   * One benchmark run (one parameter combination).
   *
   * @param benchmark the simple name, e.g. {@code FailoverBenchmark.killLeader}
   * @param mode JMH's mode ({@code thrpt}, {@code sample}, {@code ss}, ...)
   * @param params the {@code @Param} values
   * @param primary the score
   * @param secondary secondary results by name, for example auxiliary counters
   * @param percentiles JMH's percentiles of the primary metric, by percentile (for sample mode)
   */
  public record Run(
      String benchmark,
      String mode,
      Map<String, String> params,
      Metric primary,
      Map<String, Metric> secondary,
      Map<Double, Double> percentiles) {

    /** The value of {@code @Param} {@code name}, or empty. */
    public Optional<String> param(String name) {
      return Optional.ofNullable(params.get(name));
    }

    /** Secondary metric {@code name}. */
    public Optional<Metric> secondary(String name) {
      return Optional.ofNullable(secondary.get(name));
    }
  }

  /** Reads every {@code *.json} file under {@code dir}, in name order. */
  public static List<Run> readAll(Path dir) {
    List<Run> runs = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return runs;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
        runs.addAll(read(f));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return runs;
  }

  /** Reads one JMH JSON file; an empty or unparsable file yields no runs. */
  public static List<Run> read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (text.isEmpty()) {
      return List.of();
    }
    List<Run> runs = new ArrayList<>();
    for (Object o : (List<?>) Json.parse(text)) {
      Map<?, ?> b = (Map<?, ?>) o;
      String full = (String) b.get("benchmark");
      String[] parts = full.split("\\.", -1);
      String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
      Map<String, String> params = new LinkedHashMap<>();
      if (b.get("params") instanceof Map<?, ?> p) {
        p.forEach((k, v) -> params.put((String) k, String.valueOf(v)));
      }
      Map<?, ?> pm = (Map<?, ?>) b.get("primaryMetric");
      Map<String, Metric> secondary = new LinkedHashMap<>();
      if (b.get("secondaryMetrics") instanceof Map<?, ?> sm) {
        sm.forEach((k, v) -> secondary.put((String) k, metric((Map<?, ?>) v)));
      }
      Map<Double, Double> percentiles = new LinkedHashMap<>();
      if (pm.get("scorePercentiles") instanceof Map<?, ?> sp) {
        sp.forEach((k, v) -> percentiles.put(Double.parseDouble((String) k), Json.number(v)));
      }
      runs.add(new Run(name, (String) b.get("mode"), params, metric(pm), secondary, percentiles));
    }
    return runs;
  }

  private static Metric metric(Map<?, ?> m) {
    List<Double> raw = new ArrayList<>();
    if (m.get("rawData") instanceof List<?> forks) {
      for (Object fork : forks) {
        for (Object v : (List<?>) fork) {
          raw.add(Json.number(v));
        }
      }
    }
    // Sample mode keeps its samples in rawDataHistogram; its percentiles are in the Run.
    double error = m.get("scoreError") == null ? Double.NaN : Json.number(m.get("scoreError"));
    return new Metric(
        Json.number(m.get("score")),
        error,
        (String) m.get("scoreUnit"),
        raw.stream().mapToDouble(Double::doubleValue).toArray());
  }
}
