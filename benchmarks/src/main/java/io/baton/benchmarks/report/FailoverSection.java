package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;

import io.baton.benchmarks.report.JmhResults.Metric;
import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/** The unplanned failover figures of {@code FailoverBenchmark}: one row per detection profile. */
final class FailoverSection extends Section {
  /** FailoverBenchmark's default background load (writes/s), named in a label only if different. */
  private static final String DEFAULT_LOAD = "1000";

  FailoverSection() {
    super(
        "FailoverBenchmark.killLeader",
        "Unplanned failover (FailoverBenchmark)",
        "Client-observed write unavailability: leader killed → first write, issued at the kill,"
            + " acknowledged by the new leader. Nodes *in-process*: three nodes in the benchmark's"
            + " JVM, the leader stopped abruptly (no handover); *processes*: three `node` JVMs,"
            + " the leader's killed with `kill -9`, the way users meet a crash; before each kill the"
            + " restarted node's JVM is given up to 10 s to stop warming up (every node below half"
            + " a core). Load: open-loop background writes from the benchmark's JVM. One sample"
            + " per kill; the chart is `benchmarks/failover-latency.png`.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "profile",
            "nodes",
            "load (writes/s)",
            "kills",
            "p50",
            "p90",
            "p99",
            "max",
            "p99/p50",
            "detection p50",
            "election p50",
            "first commit p50",
            "client p50",
            "background writes p50",
            "longest ack gap p50",
            "terms per failover p50 / max");
    for (Run r : runs) {
      Metric m = r.primary();
      t.row(
          r.param("profile").orElse("?"),
          Format.failoverNodes(r),
          r.param("writesPerSecond").orElse(DEFAULT_LOAD),
          m.raw().length,
          ms(m.percentile(50)),
          ms(m.percentile(90)),
          ms(m.percentile(99)),
          ms(m.max()),
          Format.num(m.percentile(99) / m.percentile(50)),
          ms(r.secondaryP50("detectionMs")),
          ms(r.secondaryP50("electionMs")),
          ms(r.secondaryP50("firstCommitMs")),
          ms(r.secondaryP50("clientMs")),
          ms(r.secondaryP50("backgroundMs")),
          ms(r.secondaryP50("ackGapMs")),
          Format.whole(r.secondaryP50("terms")) + " / " + Format.whole(r.secondaryMax("terms")));
    }
    out.table(t)
        .paragraph("Failed client operations: 0 (the benchmark fails on the first failed write).");

    for (Run r : runs) {
      String profile = r.param("profile").orElse("?");
      String load = r.param("writesPerSecond").orElse(DEFAULT_LOAD);
      String lighter = load.equals(DEFAULT_LOAD) ? "" : ", " + load + " writes/s";
      String p =
          Format.failoverNodes(r).equals("processes")
              ? profile + " (node processes" + lighter + ")"
              : lighter.isEmpty() ? profile : profile + " (" + load + " writes/s)";
      double median = r.primary().percentile(50);
      Targets.failoverMedianMs(profile)
          .ifPresent(
              limit ->
                  verdicts.atMost(
                      "failover median, " + p + " ≤ " + Format.limit(limit) + " ms",
                      limit,
                      median,
                      "ms"));
      Targets.failoverP99Ms(profile)
          .ifPresent(
              limit ->
                  verdicts.atMost(
                      "failover p99, " + p + " ≤ " + Format.limit(limit) + " ms",
                      limit,
                      r.primary().percentile(99),
                      "ms"));
      if (!profile.equals("WAN")) {
        double limit = Targets.FAILOVER_AFTER_ELECTION_PHASE_MS;
        verdicts.atMost(
            "elected → serving median, " + p + " ≤ " + Format.limit(limit) + " ms",
            limit,
            r.secondaryP50("firstCommitMs"),
            "ms");
        verdicts.atMost(
            "serving → first client write median, " + p + " ≤ " + Format.limit(limit) + " ms",
            limit,
            r.secondaryP50("clientMs"),
            "ms");
      }
    }
    verdicts.asserted("zero failed operations during failover");
  }
}
