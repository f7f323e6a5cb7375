package io.baton.benchmarks.report;

import java.util.Locale;

/**
 * The design targets checked against one run's figures, in the order they were checked: each target
 * with what was measured and whether it was met or, if missed, by how much.
 *
 * <p>Not thread-safe.
 */
final class Verdicts {
  private final Table table = new Table("target", "measured", "verdict");

  /** Records {@code target}: met, or missed by {@code missedBy} (e.g. "by 3 ms"). */
  void check(String target, String measured, boolean met, String missedBy) {
    table.row(target, measured, met ? "met" : "**missed** " + missedBy);
  }

  /** Records a target that the benchmark asserts while it runs, so any result met it. */
  void asserted(String target) {
    table.row(target, "0", "met (asserted)");
  }

  /**
   * Records {@code target} as not decided by this run: {@code measured} was taken, but not under
   * the target's conditions, as {@code why} says (e.g. a run shorter than the target asks).
   */
  void inconclusive(String target, String measured, String why) {
    table.row(target, measured, "not measured: " + why);
  }

  /**
   * Records {@code target}: {@code value} (printed with {@code unit}) at most {@code limit}; not
   * measured if {@code value} is NaN.
   */
  void atMost(String target, double limit, double value, String unit) {
    if (Double.isNaN(value)) {
      table.row(target, "n/a", "not measured");
      return;
    }
    check(
        target,
        Format.num(value) + " " + unit,
        value <= limit,
        String.format(
            Locale.ROOT,
            "by %s %s (%.2f× the limit)",
            Format.num(value - limit),
            unit,
            value / limit));
  }

  /** The verdicts as a table; a single "(no results)" row if none was recorded. */
  Table table() {
    if (table.isEmpty()) {
      return new Table("target", "measured", "verdict").row("(no results)", "", "");
    }
    return table;
  }
}
