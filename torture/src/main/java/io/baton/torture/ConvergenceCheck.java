package io.baton.torture;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * After the run, once every fault is healed and the clients have stopped: do all replicas hold the
 * same state? An interface so that the scan-based check can be replaced by a replica digest API (an
 * admin "verify" command) without touching the rest of the harness.
 */
interface ConvergenceCheck {
  /**
   * The outcome.
   *
   * @param converged whether every replica holds exactly the same state
   * @param method how the check was made, for the report
   * @param digests a digest of each replica's state (equal digests, equal state)
   * @param entries how many entries each replica holds
   * @param differences the first few differences, if any
   * @param elapsed how long it took, waiting for replicas to catch up included
   */
  record Result(
      boolean converged,
      String method,
      Map<String, String> digests,
      Map<String, Integer> entries,
      List<String> differences,
      Duration elapsed) {}

  /** Waits (up to {@code timeout}) until the replicas {@code nodeIds} caught up, then compares. */
  Result check(List<String> nodeIds, Duration timeout);
}
