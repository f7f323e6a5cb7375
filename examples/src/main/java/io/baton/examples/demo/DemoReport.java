package io.baton.examples.demo;

import io.baton.examples.demo.DemoWriter.Write;
import io.baton.testing.ElectionWatch;
import io.baton.testing.FailoverPhases;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Prints what the demo's client saw around the kill: how long writes were unavailable, where that
 * time went (the phases of the failover), and the writes of the whole run.
 */
final class DemoReport {
  private final PrintStream out;

  DemoReport(PrintStream out) {
    this.out = out;
  }

  /**
   * Reports the outage and its phases.
   *
   * @param acks the acknowledged writes, in order
   * @param failures the failed writes
   * @param killNanos when the leader was killed
   * @param watch the watch of the survivors, armed at the kill; a survivor is a ready leader
   * @param victim the killed node
   * @throws IllegalStateException naming the problem if no write was acknowledged before the kill
   *     or none by the new leader
   */
  void outage(
      List<Write> acks, List<Write> failures, long killNanos, ElectionWatch watch, String victim) {
    long readyNanos = watch.readyNanos();
    int lastBefore = -1;
    int firstByNewLeader = -1;
    int lateByOldLeader = 0;
    long lastLateNanos = killNanos;
    for (int i = 0; i < acks.size(); i++) {
      long end = acks.get(i).endNanos();
      if (end < killNanos) {
        lastBefore = i;
      } else if (end < readyNanos) {
        // No other node could commit before one was a ready leader, so the dying leader sent these.
        lateByOldLeader++;
        lastLateNanos = end;
      } else if (firstByNewLeader < 0) {
        firstByNewLeader = i;
      }
    }
    if (lastBefore < 0) {
      throw new IllegalStateException(
          "no write was acknowledged before the kill; lengthen the run");
    }
    if (firstByNewLeader < 0) {
      throw new IllegalStateException("no write was acknowledged by the new leader");
    }
    // Writes are sequential, so the longest silence between acknowledgements from the last one
    // before the kill to the first one from the new leader is how long the client waited.
    long gap = 0;
    for (int i = lastBefore + 1; i <= firstByNewLeader; i++) {
      gap = Math.max(gap, acks.get(i).endNanos() - acks.get(i - 1).endNanos());
    }
    long firstAck = acks.get(firstByNewLeader).endNanos();
    out.printf(
        "writes unavailable (client-observed): %d ms, the longest gap between acknowledged writes"
            + " around the kill; the new leader acknowledged its first write %d ms after the"
            + " kill%n",
        millis(gap), millis(firstAck - killNanos));
    if (lateByOldLeader > 0) {
      out.printf(
          "  (%s still acknowledged %d write(s) in the first %d ms of its shutdown)%n",
          victim, lateByOldLeader, millis(lastLateNanos - killNanos));
    }
    FailoverPhases phases =
        FailoverPhases.of(
            killNanos, watch.candidateNanos(), watch.leaderNanos(), readyNanos, firstAck);
    out.printf(
        "where the %.1f ms from the kill to %s's first acknowledged write went (survivors' status"
            + " polled every 0.1 ms):%n",
        FailoverPhases.millis(phases.totalNanos()), watch.newLeader());
    out.print(phases.describe("  "));
    long longest = 0;
    for (int i = 1; i < acks.size(); i++) {
      longest = Math.max(longest, acks.get(i).endNanos() - acks.get(i - 1).endNanos());
    }
    out.printf(
        "writes: %d acknowledged, %d failed; slowest write %d ms; longest gap between"
            + " acknowledgements in the whole run %d ms%n",
        acks.size(),
        failures.size(),
        millis(
            Stream.concat(acks.stream(), failures.stream())
                .mapToLong(w -> w.endNanos() - w.startNanos())
                .max()
                .orElse(0)),
        millis(longest));
    failures.stream()
        .limit(3)
        .forEach(
            f -> out.printf("  failed write k-%d: %s (outcome unknown)%n", f.number(), f.error()));
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
