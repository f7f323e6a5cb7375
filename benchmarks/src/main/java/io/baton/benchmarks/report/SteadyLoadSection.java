package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.List;

/**
 * The "no needless elections" figures of {@code SteadyLoadBenchmark}: one row per profile, and the
 * verdict on the elections under a steady load, decided only by a run as long and as loaded as the
 * target asks ({@link Targets#STEADY_LOAD_SECONDS}, {@link Targets#STEADY_LOAD_PERCENT}).
 */
final class SteadyLoadSection extends Section {
  SteadyLoadSection() {
    super(
        "SteadyLoadBenchmark.steadyLoad",
        "No needless elections under steady load (SteadyLoadBenchmark)",
        "Three node processes, no faults, an open-loop write load at a share of the maximum one"
            + " client reached (closed loop, 64 writes of 64 B in flight). Elections = the"
            + " leader's term at the end minus at the start; candidacies = times a node's election"
            + " timer fired (a failed pre-vote raises no term). Latency from each write's"
            + " scheduled time.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "profile",
            "duration",
            "load: % of max (writes/s achieved / max)",
            "elections",
            "candidacies",
            "write latency p50 / p99 / max",
            "load average at start");
    for (Run r : runs) {
      String profile = r.param("profile").orElse("?");
      int seconds = r.intParam("durationSeconds");
      int percent = r.intParam("loadPercent");
      double elections = last(r, "elections");
      t.row(
          profile,
          seconds + " s",
          percent
              + " % ("
              + Format.whole(last(r, "writesPerSecond"))
              + " / "
              + Format.whole(last(r, "maxWritesPerSecond"))
              + ")",
          Format.whole(elections),
          Format.whole(last(r, "candidacies")),
          ms(last(r, "p50Ms")) + " / " + ms(last(r, "p99Ms")) + " / " + ms(last(r, "maxMs")),
          Format.num(last(r, "loadAvgStart")));
      if (!Targets.STEADY_LOAD_PROFILES.contains(profile)) {
        continue;
      }
      String target =
          "no needless elections under steady load, "
              + profile
              + ": "
              + Targets.STEADY_LOAD_ELECTIONS;
      String measured = Format.whole(elections);
      if (seconds < Targets.STEADY_LOAD_SECONDS || percent < Targets.STEADY_LOAD_PERCENT) {
        verdicts.inconclusive(
            target,
            measured,
            seconds
                + " s at "
                + percent
                + " %, the target needs "
                + Targets.STEADY_LOAD_SECONDS
                + " s at "
                + Targets.STEADY_LOAD_PERCENT
                + " %");
      } else {
        verdicts.check(
            target,
            measured,
            elections <= Targets.STEADY_LOAD_ELECTIONS,
            "by " + Format.whole(elections - Targets.STEADY_LOAD_ELECTIONS));
      }
    }
    out.table(t);
    verdicts.asserted("zero failed writes under steady load");
  }

  /** The value of secondary result {@code name} of the run's last iteration; NaN if absent. */
  private static double last(Run r, String name) {
    double[] raw = r.secondary(name).map(JmhResults.Metric::raw).orElse(new double[0]);
    return raw.length == 0 ? Double.NaN : raw[raw.length - 1];
  }
}
