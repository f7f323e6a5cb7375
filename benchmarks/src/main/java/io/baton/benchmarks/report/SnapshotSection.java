package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;

import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The snapshot pause figures of {@code SnapshotBenchmark}: one row per state size. */
final class SnapshotSection extends Section {
  SnapshotSection() {
    super(
        "SnapshotBenchmark.snapshot",
        "Snapshot pause (SnapshotBenchmark)",
        "`takeSnapshot()` on the leader under 2,000 writes/s. Apply stall = longest gap between"
            + " two applies on the leader around the call; baseline = the same without a"
            + " snapshot. Cold = the first snapshot of the filled store (every file"
            + " checksummed).");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    List<Run> bySize = JmhResults.sortedBy(runs, "stateMiB");
    Table t =
        new Table(
            "state",
            "snapshots",
            "call p50 / max",
            "apply stall p50 / max",
            "worst write p50 / max",
            "without snapshot: stall / worst write p50",
            "cold: call / apply stall");
    for (Run r : bySize) {
      Metric stall = r.secondary("applyStallMs").orElse(Metric.empty());
      Metric write = r.secondary("worstWriteMs").orElse(Metric.empty());
      t.row(
          state(r),
          r.primary().raw().length,
          ms(r.primary().percentile(50)) + " / " + ms(r.primary().max()),
          ms(stall.percentile(50)) + " / " + ms(stall.max()),
          ms(write.percentile(50)) + " / " + ms(write.max()),
          ms(r.secondaryP50("baselineStallMs")) + " / " + ms(r.secondaryP50("baselineWriteMs")),
          ms(r.secondaryP50("coldSnapshotMs")) + " / " + ms(r.secondaryP50("coldStallMs")));
    }
    out.table(t);

    if (bySize.size() > 1) {
      Run small = bySize.get(0);
      Run large = bySize.get(bySize.size() - 1);
      double limit = Targets.SNAPSHOT_STALL_GROWTH;
      String within = " within " + Format.limit(limit) + "× of " + state(small);
      verdicts.atMost(
          "snapshot apply stall at " + state(large) + within + " (median)",
          limit,
          large.secondaryP50("applyStallMs") / small.secondaryP50("applyStallMs"),
          "×");
      verdicts.atMost(
          "first (cold) snapshot stall at " + state(large) + within,
          limit,
          large.secondaryP50("coldStallMs") / small.secondaryP50("coldStallMs"),
          "×");
    }
  }

  /**
   * The state size of a run, from its {@code stateMiB} parameter: {@code 10 MiB}, {@code 1 GiB}.
   */
  static String state(Run r) {
    return Format.mib(r.intParam("stateMiB"));
  }
}
