package io.baton.benchmarks.report;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.ArrayList;
import java.util.List;

/** The read figures of {@code ReadBenchmark}: one row per read consistency. */
final class ReadSection extends Section {
  private static final List<String> CONSISTENCIES = List.of("LINEARIZABLE", "FOLLOWER", "STALE");

  ReadSection() {
    super(
        "ReadBenchmark.read",
        "Reads (ReadBenchmark)",
        "One client, `queryAsync`, window of 64 in flight, 10,000 keys of 64 B, no writes;"
            + " latency columns as for writes.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "consistency",
            "throughput (reads/s)",
            "latency p50",
            "p90",
            "p99",
            "max",
            "CPU µs per read",
            "cores busy");
    for (String c : CONSISTENCIES) {
      runs.stream()
          .filter(r -> r.param("consistency").orElse("").equals(c))
          .findFirst()
          .ifPresent(
              r -> {
                List<Object> cells = new ArrayList<>();
                cells.add(c);
                cells.add(WriteSection.throughput(r));
                cells.addAll(WriteSection.loadCells(r));
                t.row(cells.toArray());
              });
    }
    out.table(t);
  }
}
