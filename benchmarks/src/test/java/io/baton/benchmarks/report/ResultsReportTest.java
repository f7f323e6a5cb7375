package io.baton.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.benchmarks.report.JmhResults.Run;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ResultsReportTest {
  @TempDir Path dir;

  @Test
  void generate_checksEachTargetAndWritesTheSectionOfEachBenchmarkPresent() throws IOException {
    Properties info = new Properties();
    info.setProperty("profile", "quick");

    String md = ResultsReport.generate(failoverRuns(), info);

    assertThat(md)
        .startsWith("## Figures\n")
        .contains("| profile | quick |")
        .contains("| failover median, FAST ≤ 90 ms | 100 ms | **missed** by 10.00 ms")
        .contains(
            "| failover p99, FAST ≤ 150 ms | 300 ms | **missed** by 150 ms (2.00× the limit) |")
        .contains("| failover median, DEFAULT ≤ 200 ms | 240 ms | **missed** by 40.00 ms")
        .contains("| failover p99, DEFAULT ≤ 300 ms | 260 ms | met |")
        .contains("| zero failed operations during failover | 0 | met (asserted) |")
        .contains("### Unplanned failover (FailoverBenchmark)")
        .contains(
            "| FAST | in-process | 1000 | 4 | 100 ms | 300 ms | 300 ms | 300 ms | 3.00 | 50.0 ms |")
        .doesNotContain("WriteBenchmark");
  }

  @Test
  void generate_nodeProcesses_haveTheirOwnRowAndVerdicts() throws IOException {
    Path file = dir.resolve("failover.json");
    try (InputStream in = ResultsReportTest.class.getResourceAsStream("/jmh/failover.json")) {
      String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Files.writeString(
          file,
          json.replace(
              "\"profile\" : \"DEFAULT\"", "\"profile\" : \"FAST\", \"mode\" : \"process\""));
    }

    String md = ResultsReport.generate(JmhResults.read(file), new Properties());

    assertThat(md)
        .contains("| FAST | in-process | 1000 | 4 | 100 ms |")
        .contains("| FAST | processes | ")
        .contains("| failover median, FAST ≤ 90 ms | 100 ms | **missed**")
        .contains("| failover median, FAST (node processes) ≤ 90 ms | 240 ms | **missed**");
  }

  @Test
  void generate_withoutResults_saysSoInTheTargets() {
    assertThat(ResultsReport.generate(List.of(), new Properties()))
        .contains("| (no results) | | |")
        .doesNotContain("Unplanned failover");
  }

  @Test
  void merge_replacesOnlyTheGeneratedPart() {
    String existing =
        "# Results\n\nhand-written\n"
            + ResultsReport.BEGIN
            + "\nold figures\n"
            + ResultsReport.END
            + "\nreading by hand\n";

    String merged = ResultsReport.merge(existing, "new figures\n");

    assertThat(merged)
        .isEqualTo(
            "# Results\n\nhand-written\n"
                + ResultsReport.BEGIN
                + "\nnew figures\n"
                + ResultsReport.END
                + "\nreading by hand\n");
  }

  @Test
  void merge_withoutMarkers_putsTheGeneratedPartFirst() {
    assertThat(ResultsReport.merge("notes\n", "figures\n"))
        .isEqualTo(
            "# Baton benchmark results\n\n"
                + ResultsReport.BEGIN
                + "\nfigures\n"
                + ResultsReport.END
                + "\nnotes\n");
  }

  private List<Run> failoverRuns() throws IOException {
    Path file = dir.resolve("failover.json");
    try (InputStream in = ResultsReportTest.class.getResourceAsStream("/jmh/failover.json")) {
      Files.copy(in, file);
    }
    return JmhResults.read(file);
  }
}
