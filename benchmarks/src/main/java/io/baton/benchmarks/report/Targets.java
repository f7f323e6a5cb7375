package io.baton.benchmarks.report;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The design's performance targets, the one place that states them: {@link ResultsReport} checks
 * each against the figures of a run and {@link io.baton.benchmarks.chart.FailoverChart} draws the
 * failover ones. A target changes here and nowhere else.
 */
public final class Targets {
  /** Median client-observed failover time per failure-detection profile, in milliseconds. */
  private static final Map<String, Double> FAILOVER_MEDIAN_MS =
      Map.of("FAST", 90.0, "DEFAULT", 200.0);

  /** The client-observed failover p99 per failure-detection profile, in milliseconds. */
  private static final Map<String, Double> FAILOVER_P99_MS =
      Map.of("FAST", 150.0, "DEFAULT", 300.0);

  /**
   * After detection, the median of each of: elected → serving (first entry of the new term
   * committed) and serving → the client's first write acknowledged, in milliseconds.
   */
  public static final double FAILOVER_AFTER_ELECTION_PHASE_MS = 10;

  /** The profiles with a failover median target, in the order the reports list them. */
  public static final List<String> FAILOVER_PROFILES = List.of("FAST", "DEFAULT");

  /** The median over transfers of the worst write latency across a planned switchover, in ms. */
  public static final double SWITCHOVER_WORST_WRITE_MEDIAN_MS = 15;

  /** The worst write latency over every planned switchover, in milliseconds. */
  public static final double SWITCHOVER_WORST_WRITE_MS = 40;

  /**
   * Leader elections during a steady write load with no faults, per profile in {@link
   * #STEADY_LOAD_PROFILES}.
   */
  public static final long STEADY_LOAD_ELECTIONS = 0;

  /** How long that steady load must run for the count to decide the target, in seconds. */
  public static final int STEADY_LOAD_SECONDS = 600;

  /** The least load of that run, in percent of the measured maximum write rate. */
  public static final int STEADY_LOAD_PERCENT = 80;

  /** The profiles the steady-load target is stated for. */
  public static final List<String> STEADY_LOAD_PROFILES = List.of("FAST", "DEFAULT");

  /** Writes per second of one client with 64-byte commands and 64 in flight. */
  public static final double WRITE_THROUGHPUT_PER_SECOND = 40_000;

  /** The p99 write latency of that load in its worst iteration, in milliseconds. */
  public static final double WRITE_P99_MS = 10;

  /** The apply stall of a snapshot of the largest state at most this multiple of the smallest's. */
  public static final double SNAPSHOT_STALL_GROWTH = 2;

  /** Catch-up of a new node at most this many times slower than copying its files on the disk. */
  public static final double CATCH_UP_SLOWDOWN_OVER_COPY = 2;

  /**
   * Entries a restarted follower may apply beyond those it missed while down (those in flight when
   * it was killed), and still count as replaying only what it missed.
   */
  public static final int RESTART_EXTRA_ENTRIES = 10;

  private Targets() {}

  /** The failover p99 target of {@code profile} in milliseconds, empty if it has none. */
  public static OptionalDouble failoverP99Ms(String profile) {
    Double v = FAILOVER_P99_MS.get(profile);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }

  /** The failover median target of {@code profile} in milliseconds, empty if it has none. */
  public static OptionalDouble failoverMedianMs(String profile) {
    Double v = FAILOVER_MEDIAN_MS.get(profile);
    return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
  }
}
