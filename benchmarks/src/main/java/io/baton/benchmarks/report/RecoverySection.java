package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;
import static io.baton.benchmarks.report.Format.whole;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The restart figures of {@code RecoveryBenchmark}: one row per state size. */
final class RecoverySection extends Section {
  RecoverySection() {
    super(
        "RecoveryBenchmark.restart",
        "Restart and recovery (RecoveryBenchmark)",
        "A follower killed abruptly, entries written while it was down, then restarted on its"
            + " data directory; time until it serves a FOLLOWER (linearizable) read of the last"
            + " write.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    List<Run> bySize = JmhResults.sortedBy(runs, "stateMiB");
    Table t =
        new Table(
            "state",
            "restarts",
            "serving reads p50 / max",
            "start() returned p50",
            "stale read p50",
            "missed while down",
            "applied after restart (max)",
            "log tail it did not replay",
            "snapshots installed (max)");
    for (Run r : bySize) {
      t.row(
          SnapshotSection.state(r),
          r.primary().raw().length,
          ms(r.primary().percentile(50)) + " / " + ms(r.primary().max()),
          ms(r.secondaryP50("startMs")),
          ms(r.secondaryP50("staleReadMs")),
          r.param("missedEntries").orElse("?"),
          whole(r.secondaryMax("reappliedEntries")),
          whole(r.secondaryP50("logTailEntries")),
          whole(r.secondaryMax("snapshotsInstalled")));
    }
    out.table(t);

    for (Run r : bySize) {
      double missed = Double.parseDouble(r.param("missedEntries").orElse("NaN"));
      double reapplied = r.secondaryMax("reappliedEntries");
      verdicts.check(
          "restart replays only what it missed (" + SnapshotSection.state(r) + ")",
          whole(reapplied) + " applied for " + whole(missed) + " missed",
          reapplied <= missed + Targets.RESTART_EXTRA_ENTRIES
              && r.secondaryMax("snapshotsInstalled") == 0,
          "re-applied or re-transferred state");
    }
  }
}
