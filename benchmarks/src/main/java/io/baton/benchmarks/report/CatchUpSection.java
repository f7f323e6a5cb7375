package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;
import static io.baton.benchmarks.report.Format.num;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The new-node catch-up figures of {@code CatchUpBenchmark}: one row per state size. */
final class CatchUpSection extends Section {
  CatchUpSection() {
    super(
        "CatchUpBenchmark.addNode",
        "New node catch-up (CatchUpBenchmark)",
        "A node started in join mode and added with `BatonAdmin.addNode`, which returns once it"
            + " is a caught-up voter; compared with copying the same checkpoint files (with"
            + " fsync) on the same disk in the same run.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "state",
            "joins",
            "addNode p50 / max",
            "catch-up MB/s (p50)",
            "raw copy MB/s (p50)",
            "copy speed / catch-up speed");
    double limit = Targets.CATCH_UP_SLOWDOWN_OVER_COPY;
    for (Run r : JmhResults.sortedBy(runs, "stateMiB")) {
      double speed = r.secondaryP50("catchUpMBps");
      double copy = r.secondaryP50("rawCopyMBps");
      String state = SnapshotSection.state(r);
      t.row(
          state,
          r.primary().raw().length,
          ms(r.primary().percentile(50)) + " / " + ms(r.primary().max()),
          num(speed),
          num(copy),
          num(copy / speed) + "×");
      verdicts.atMost(
          "catch-up within " + Format.limit(limit) + "× of raw file copy speed (" + state + ")",
          limit,
          copy / speed,
          "×");
    }
    out.table(t);
  }
}
