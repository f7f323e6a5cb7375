package io.baton.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class VerdictsTest {
  @Test
  void atMost_valueWithinLimit_isMet_andAboveIt_isMissedByHowMuch() {
    Verdicts v = new Verdicts();

    v.atMost("latency ≤ 10 ms", 10, 9.5, "ms");
    v.atMost("latency ≤ 10 ms", 10, 13.24, "ms");

    assertThat(v.table().markdown())
        .contains("| latency ≤ 10 ms | 9.50 ms | met |")
        .contains("| latency ≤ 10 ms | 13.24 ms | **missed** by 3.24 ms (1.32× the limit) |");
  }

  @Test
  void atMost_nan_isNotMeasured() {
    Verdicts v = new Verdicts();

    v.atMost("stall ≤ 2×", 2, Double.NaN, "×");

    assertThat(v.table().markdown()).contains("| stall ≤ 2× | n/a | not measured |");
  }

  @Test
  void table_keepsTheOrderOfTheChecks() {
    Verdicts v = new Verdicts();
    v.asserted("zero errors");
    v.check("throughput", "5/s", false, "by 5/s");

    assertThat(v.table().markdown())
        .isEqualTo(
            "| target | measured | verdict |\n"
                + "|---|---|---|\n"
                + "| zero errors | 0 | met (asserted) |\n"
                + "| throughput | 5/s | **missed** by 5/s |\n");
  }
}
