package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;

import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The planned switchover figures of {@code SwitchoverBenchmark}: one row per profile and load. */
final class SwitchoverSection extends Section {
  SwitchoverSection() {
    super(
        "SwitchoverBenchmark.transfer",
        "Planned switchover (SwitchoverBenchmark)",
        "`transferLeadership` on the leader under a steady background write load; worst write ="
            + " longest latency of a background write in flight during the switchover.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "profile",
            "load (writes/s)",
            "transfers",
            "new leader ready p50 / p99 / max",
            "worst write p50 / p99 / max",
            "call returned p50");
    double limit = Targets.SWITCHOVER_WORST_WRITE_MS;
    for (Run r : runs) {
      Metric m = r.primary();
      Metric w = r.secondary("worstWriteMs").orElse(Metric.empty());
      t.row(
          r.param("profile").orElse("?"),
          r.param("writesPerSecond").orElse("?"),
          m.raw().length,
          ms(m.percentile(50)) + " / " + ms(m.percentile(99)) + " / " + ms(m.max()),
          ms(w.percentile(50)) + " / " + ms(w.percentile(99)) + " / " + ms(w.max()),
          ms(r.secondaryP50("callMs")));
      double median = Targets.SWITCHOVER_WORST_WRITE_MEDIAN_MS;
      verdicts.atMost(
          "switchover worst write latency ≤ " + Format.limit(median) + " ms (median of transfers)",
          median,
          w.percentile(50),
          "ms");
      verdicts.atMost(
          "switchover worst write latency ≤ " + Format.limit(limit) + " ms (max over transfers)",
          limit,
          w.max(),
          "ms");
    }
    out.table(t);
    verdicts.asserted("zero errors during switchover");
  }
}
