package io.baton.benchmarks.support;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The latencies of a benchmark's operations in nanoseconds, recorded from any thread and read once
 * per measurement interval (a JMH iteration). It wraps HdrHistogram's {@link Recorder} with three
 * significant digits, so a percentile is within 0.1 % of the true value at any magnitude; recording
 * is wait-free and meant for every operation of a throughput benchmark.
 *
 * <p>Thread-safe: any number of threads may {@link #record}; one thread at a time calls {@link
 * #reset} and {@link #interval}.
 */
public final class LatencyHistogram {
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);

  /** Records one duration; negative values count as 0. */
  public void record(long nanos) {
    recorder.recordValue(Math.max(0, nanos));
  }

  /** Starts a new interval: forgets every value recorded so far. */
  public void reset() {
    recorder.reset();
  }

  /**
   * The values recorded since the last {@link #reset} or {@code interval}, which starts a new one.
   */
  public Interval interval() {
    return new Interval(recorder.getIntervalHistogram());
  }

  /** The latencies of one interval; an immutable copy, safe to read from any thread. */
  public static final class Interval {
    private final Histogram histogram;

    private Interval(Histogram histogram) {
      this.histogram = histogram;
    }

    /** How many values were recorded. */
    public long count() {
      return histogram.getTotalCount();
    }

    /**
     * The {@code p}-th percentile (0 to 100) in nanoseconds: the largest value recorded for 100,
     * NaN if nothing was recorded.
     */
    public double percentile(double p) {
      if (count() == 0) {
        return Double.NaN;
      }
      return p >= 100 ? histogram.getMaxValue() : histogram.getValueAtPercentile(p);
    }

    /** The {@code p}-th percentile in milliseconds; see {@link #percentile}. */
    public double percentileMillis(double p) {
      return percentile(p) / 1e6;
    }
  }
}
