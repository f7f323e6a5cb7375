package io.baton.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class JmhResultsTest {
  @TempDir Path dir;

  @Test
  void read_jmhJson_givesRunsWithParamsMetricsAndPercentiles() throws IOException {
    List<Run> runs = JmhResults.read(fixture("failover.json", "failover.json"));

    assertThat(runs).hasSize(2);
    Run fast = runs.get(0);
    assertThat(fast.benchmark()).isEqualTo("FailoverBenchmark.killLeader");
    assertThat(fast.mode()).isEqualTo("ss");
    assertThat(fast.params()).isEqualTo(Map.of("profile", "FAST"));
    assertThat(fast.primary().score()).isEqualTo(150.0);
    assertThat(fast.primary().error()).isEqualTo(40.5);
    assertThat(fast.primary().unit()).isEqualTo("ms/op");
    assertThat(fast.primary().raw()).containsExactly(120.0, 80.0, 300.0, 100.0);
    assertThat(fast.percentiles()).containsEntry(0.0, 80.0).containsEntry(50.0, 120.0);
    assertThat(fast.secondary("detectionMs").map(Metric::raw).orElseThrow())
        .containsExactly(50.0, 40.0, 60.0, 50.0);
    assertThat(fast.secondaryP50("detectionMs")).isEqualTo(50.0);
    assertThat(fast.secondaryMax("detectionMs")).isEqualTo(60.0);
  }

  @Test
  void read_nonFiniteStringsAndSeveralForks_readAsDoublesAndOneSampleList() throws IOException {
    Run def = JmhResults.read(fixture("failover.json", "failover.json")).get(1);

    assertThat(def.primary().error()).isNaN();
    assertThat(def.primary().raw()).containsExactly(240.0, 260.0);
    assertThat(def.secondary()).isEmpty();
    assertThat(def.secondaryP50("detectionMs")).isNaN();
  }

  @Test
  void readAll_readsEveryJsonFileInNameOrder_andSkipsEmptyFilesAndOtherFiles() throws IOException {
    fixture("failover.json", "b.json");
    Files.writeString(dir.resolve("a.json"), "");
    Files.writeString(dir.resolve("run.properties"), "date=today\n");

    List<Run> runs = JmhResults.readAll(dir);

    assertThat(runs)
        .extracting(r -> r.param("profile").orElseThrow())
        .containsExactly("FAST", "DEFAULT");
    assertThat(JmhResults.readAll(dir.resolve("missing"))).isEmpty();
  }

  @Test
  void read_invalidJson_failsNamingTheFile() throws IOException {
    Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"benchmark\": ");

    assertThatThrownBy(() -> JmhResults.read(broken))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("broken.json");
  }

  @Test
  void percentile_isByNearestRank() {
    Metric m = new Metric(0, 0, "ms", new double[] {4, 1, 3, 2});

    assertThat(m.percentile(50)).isEqualTo(2);
    assertThat(m.percentile(75)).isEqualTo(3);
    assertThat(m.percentile(99)).isEqualTo(4);
    assertThat(m.max()).isEqualTo(4);
    assertThat(Metric.empty().percentile(50)).isNaN();
  }

  @Test
  void selectAndSortedBy_filterByBenchmarkAndOrderByIntegerParam() throws IOException {
    List<Run> runs = JmhResults.read(fixture("failover.json", "failover.json"));
    Run small = withParam(runs.get(0), "stateMiB", "100");
    Run large = withParam(runs.get(0), "stateMiB", "1024");
    Run tiny = withParam(runs.get(0), "stateMiB", "10");

    assertThat(JmhResults.select(runs, "FailoverBenchmark.killLeader")).hasSize(2);
    assertThat(JmhResults.select(runs, "WriteBenchmark.write")).isEmpty();
    assertThat(JmhResults.sortedBy(List.of(large, small, tiny), "stateMiB"))
        .containsExactly(tiny, small, large);
  }

  private static Run withParam(Run r, String name, String value) {
    return new Run(
        r.benchmark(), r.mode(), Map.of(name, value), r.primary(), r.secondary(), r.percentiles());
  }

  private Path fixture(String resource, String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = JmhResultsTest.class.getResourceAsStream("/jmh/" + resource)) {
      Files.copy(in, target);
    }
    return target;
  }
}
