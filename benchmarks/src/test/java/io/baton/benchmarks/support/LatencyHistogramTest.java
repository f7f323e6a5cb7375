package io.baton.benchmarks.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

final class LatencyHistogramTest {
  private static final long MS = 1_000_000;

  @Test
  void interval_percentilesAreWithinAThousandthOfTheTrueValue() {
    LatencyHistogram h = new LatencyHistogram();
    for (long i = 1; i <= 1000; i++) {
      h.record(i * MS);
    }

    LatencyHistogram.Interval interval = h.interval();

    assertThat(interval.count()).isEqualTo(1000);
    assertThat(interval.percentile(50)).isCloseTo(500.0 * MS, Percentage.withPercentage(0.1));
    assertThat(interval.percentile(90)).isCloseTo(900.0 * MS, Percentage.withPercentage(0.1));
    assertThat(interval.percentile(99)).isCloseTo(990.0 * MS, Percentage.withPercentage(0.1));
    assertThat(interval.percentileMillis(100)).isCloseTo(1000.0, Percentage.withPercentage(0.1));
  }

  @Test
  void interval_startsANewInterval() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(5 * MS);
    h.interval();
    h.record(7 * MS);

    LatencyHistogram.Interval second = h.interval();

    assertThat(second.count()).isEqualTo(1);
    assertThat(second.percentileMillis(50)).isCloseTo(7.0, within(0.01));
  }

  @Test
  void reset_forgetsEveryValue() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(5 * MS);

    h.reset();

    LatencyHistogram.Interval interval = h.interval();
    assertThat(interval.count()).isZero();
    assertThat(interval.percentile(50)).isNaN();
    assertThat(interval.percentile(100)).isNaN();
  }

  @Test
  void record_negativeDuration_countsAsZero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-3);

    LatencyHistogram.Interval interval = h.interval();

    assertThat(interval.count()).isEqualTo(1);
    assertThat(interval.percentile(100)).isZero();
  }

  @Test
  void record_fromManyThreads_losesNoValue() throws InterruptedException, ExecutionException {
    LatencyHistogram h = new LatencyHistogram();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (long i = 0; i < 10_000; i++) {
                    h.record(i * 1000);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }

    assertThat(h.interval().count()).isEqualTo(40_000);
  }
}
