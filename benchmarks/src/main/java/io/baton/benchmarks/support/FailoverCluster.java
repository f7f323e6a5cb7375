package io.baton.benchmarks.support;

import io.baton.BatonClient;
import io.baton.FailureDetection;
import java.time.Duration;

/**
 * The three-node cluster {@code FailoverBenchmark} kills leaders of, and the watch that times each
 * failover: nodes in the benchmark's JVM ({@link InProcessFailoverCluster}) or node processes
 * ({@link ProcessFailoverCluster}).
 */
public interface FailoverCluster extends AutoCloseable {
  /**
   * When a failover's boundaries were seen ({@link System#nanoTime()}), and how many terms it took:
   * the new leader's term minus the killed leader's, 1 when the first election won.
   */
  record Election(long candidateNanos, long leaderNanos, long readyNanos, long terms) {}

  /** Starts the cluster for {@code mode} ({@code inProcess} or {@code process}). */
  static FailoverCluster start(String mode, FailureDetection profile) {
    return switch (mode) {
      case "inProcess" -> new InProcessFailoverCluster(profile);
      case "process" -> new ProcessFailoverCluster(profile);
      default -> throw new IllegalArgumentException("mode must be inProcess or process: " + mode);
    };
  }

  /** A new client of the cluster, closed with it. */
  BatonClient newClient();

  /**
   * Restarts the node the previous kill stopped, on its data, and waits until every node has caught
   * up and all agreed on one ready leader, nobody a candidate, for {@code quiet}.
   */
  void prepare(Duration quiet) throws Exception;

  /** Starts watching the nodes other than the current leader; call right before {@link #kill}. */
  void watchSurvivors();

  /**
   * Kills the leader the watch was set up for without any handover, starts the watch, and returns
   * at once.
   *
   * @return the {@link System#nanoTime()} of the kill
   */
  long kill();

  /**
   * Whether a probe submitted at {@code submitNanos} and acknowledged just now was acknowledged by
   * a survivor (not by the dying leader in its last moments).
   */
  boolean acknowledgedBySurvivor(long submitNanos);

  /** Waits until a survivor is a ready leader; returns when the phases' boundaries were seen. */
  Election awaitElection(long timeoutMillis) throws InterruptedException;

  @Override
  void close() throws Exception;
}
