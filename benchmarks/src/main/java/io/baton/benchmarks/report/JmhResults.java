package io.baton.benchmarks.report;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.DoubleStream;
import java.util.stream.Stream;

/** The results in JMH JSON files ({@code -rf json}), read with Jackson into plain records. */
public final class JmhResults {
  private static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

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

    /** A metric with no values: NaN everywhere. */
    public static Metric empty() {
      return new Metric(Double.NaN, Double.NaN, "", new double[0]);
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

    /** The value of the integer {@code @Param} {@code name}, 0 if absent. */
    public int intParam(String name) {
      return Integer.parseInt(params.getOrDefault(name, "0"));
    }

    /** Secondary metric {@code name}. */
    public Optional<Metric> secondary(String name) {
      return Optional.ofNullable(secondary.get(name));
    }

    /** The median of secondary metric {@code name}'s raw values, NaN if absent. */
    public double secondaryP50(String name) {
      return secondary(name).map(m -> m.percentile(50)).orElse(Double.NaN);
    }

    /** The largest of secondary metric {@code name}'s raw values, NaN if absent. */
    public double secondaryMax(String name) {
      return secondary(name).map(Metric::max).orElse(Double.NaN);
    }
  }

  /**
   * The runs of {@code benchmark} (e.g. {@code WriteBenchmark.write}) in {@code runs}, in order.
   */
  public static List<Run> select(List<Run> runs, String benchmark) {
    return runs.stream().filter(r -> r.benchmark().equals(benchmark)).toList();
  }

  /** {@code runs} sorted by the integer {@code @Param} {@code param}. */
  public static List<Run> sortedBy(List<Run> runs, String param) {
    return runs.stream().sorted(Comparator.comparingInt(r -> r.intParam(param))).toList();
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

  /** Reads one JMH JSON file; an empty file yields no runs. */
  public static List<Run> read(Path file) {
    JsonNode root;
    try {
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read JMH results " + file, e);
    }
    if (root == null || root.isMissingNode()) {
      return List.of();
    }
    List<Run> runs = new ArrayList<>();
    for (JsonNode b : root) {
      String[] parts = b.path("benchmark").asText().split("\\.", -1);
      String name =
          parts.length < 2 ? parts[0] : parts[parts.length - 2] + "." + parts[parts.length - 1];
      Map<String, String> params = new LinkedHashMap<>();
      b.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
      JsonNode pm = b.path("primaryMetric");
      Map<String, Metric> secondary = new LinkedHashMap<>();
      b.path("secondaryMetrics")
          .properties()
          .forEach(e -> secondary.put(e.getKey(), metric(e.getValue())));
      Map<Double, Double> percentiles = new LinkedHashMap<>();
      pm.path("scorePercentiles")
          .properties()
          .forEach(e -> percentiles.put(Double.parseDouble(e.getKey()), number(e.getValue())));
      runs.add(new Run(name, b.path("mode").asText(), params, metric(pm), secondary, percentiles));
    }
    return runs;
  }

  private static Metric metric(JsonNode m) {
    // Sample mode keeps its samples in rawDataHistogram; its percentiles are in the Run.
    DoubleStream.Builder raw = DoubleStream.builder();
    for (JsonNode fork : m.path("rawData")) {
      for (JsonNode v : fork) {
        raw.add(number(v));
      }
    }
    return new Metric(
        number(m.path("score")),
        number(m.path("scoreError")),
        m.path("scoreUnit").asText(),
        raw.build().toArray());
  }

  /**
   * A JSON number as a double. JMH writes non-finite numbers as the strings {@code "NaN"} and
   * {@code "Infinity"}; a missing or null value is NaN.
   */
  private static double number(JsonNode v) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isTextual()) {
      return Double.parseDouble(v.textValue());
    }
    if (v.isMissingNode() || v.isNull()) {
      return Double.NaN;
    }
    throw new IllegalArgumentException("not a number: " + v);
  }
}
