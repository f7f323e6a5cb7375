package io.baton.testing;

import java.util.Locale;

/**
 * Where the time of one unplanned failover went, from the kill of the leader to the first write a
 * client had acknowledged by the new leader, in four consecutive phases that add up to that whole:
 *
 * <ul>
 *   <li>detection: kill to the first survivor becoming a candidate (its election timer fired);
 *   <li>election: candidate to a survivor becoming leader (pre-vote and vote);
 *   <li>first commit: leader to ready, once it committed an entry of its own term and serves;
 *   <li>client: ready to the client's acknowledgement (its retry back-off, the redirect to the new
 *       leader and the write's own commit).
 * </ul>
 *
 * <p>The times come from whoever watched the election ({@link ElectionWatch} in one JVM, the nodes'
 * output for node processes), all on the {@link System#nanoTime()} clock. A watcher can see a
 * boundary late (its polling, or a node's output crossing a pipe) and so after the next one: the
 * client's write acknowledged before the ready leader's line arrived, say. Such a boundary is taken
 * as the next one, since it cannot have come after it: no phase is negative, and the phases still
 * add up to kill-to-acknowledgement.
 *
 * @param detectionNanos kill to candidate
 * @param electionNanos candidate to leader
 * @param firstCommitNanos leader to ready
 * @param clientNanos ready to the client's acknowledgement
 */
public record FailoverPhases(
    long detectionNanos, long electionNanos, long firstCommitNanos, long clientNanos) {

  /** The phases between these instants, each a {@link System#nanoTime()} value. */
  public static FailoverPhases of(
      long killNanos, long candidateNanos, long leaderNanos, long readyNanos, long ackNanos) {
    long ready = Math.max(killNanos, Math.min(readyNanos, ackNanos));
    long leader = Math.max(killNanos, Math.min(leaderNanos, ready));
    long candidate = Math.max(killNanos, Math.min(candidateNanos, leader));
    return new FailoverPhases(
        candidate - killNanos, leader - candidate, ready - leader, ackNanos - ready);
  }

  /** Kill to acknowledgement: the sum of the phases. */
  public long totalNanos() {
    return detectionNanos + electionNanos + firstCommitNanos + clientNanos;
  }

  /** {@code nanos} in milliseconds. */
  public static double millis(long nanos) {
    return nanos / 1e6;
  }

  /**
   * One line per phase, each with its milliseconds and what it covers, for people to read; every
   * line starts with {@code indent}.
   */
  public String describe(String indent) {
    return line(indent, "detection", detectionNanos, "until a survivor's election timer fired")
        + line(indent, "election", electionNanos, "until a survivor won the vote")
        + line(indent, "first commit", firstCommitNanos, "until it committed an entry of its term")
        + line(indent, "client", clientNanos, "until the client's write was acknowledged");
  }

  private static String line(String indent, String name, long nanos, String what) {
    return String.format(Locale.ROOT, "%s%-13s %8.1f ms  %s%n", indent, name, millis(nanos), what);
  }
}
