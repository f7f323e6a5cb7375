package io.baton.benchmarks.report;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The single-store figures of {@code StoreApplyBenchmark}: one row per value size and batch. */
final class StoreApplySection extends Section {
  StoreApplySection() {
    super(
        "StoreApplyBenchmark.applyOneCommand",
        "One replica's store alone (StoreApplyBenchmark)",
        "");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t = new Table("value bytes", "writes per command", "commands/s");
    for (Run r : runs) {
      t.row(
          r.param("valueBytes").orElse("?"),
          r.param("writesPerCommand").orElse("?"),
          WriteSection.throughput(r));
    }
    out.table(t);
  }
}
