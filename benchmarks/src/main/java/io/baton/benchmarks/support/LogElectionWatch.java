package io.baton.benchmarks.support;

import io.baton.benchmarks.support.NodeProcess.RoleLine;
import java.util.Set;

/**
 * The {@link io.baton.testing.ElectionWatch} of node processes: from the moment it is {@linkplain
 * #arm armed}, records from the survivors' role lines ({@link NodeProcess}) when the first became a
 * candidate, when one was elected, and when that leader was ready.
 *
 * <p>Precision: each instant is when the line reached this JVM's reader thread. Ratis logs the role
 * change synchronously as it happens and the node command prints the ready leader from its role
 * listener thread; the line then crosses a pipe. On an idle machine that adds well under a
 * millisecond to each instant, the same for every boundary, so it mostly cancels in the phases; it
 * lengthens detection and shortens the client phase by one line's delay.
 */
final class LogElectionWatch {
  private final Set<String> survivors;
  private volatile long armNanos;
  private long candidateNanos; // guarded by this
  private long leaderNanos; // guarded by this
  private long readyNanos; // guarded by this
  private String newLeader; // guarded by this
  private long newTerm; // guarded by this

  LogElectionWatch(Set<String> survivors) {
    this.survivors = Set.copyOf(survivors);
  }

  /** Starts recording lines that arrive from now on. */
  void arm() {
    armNanos = System.nanoTime();
  }

  synchronized void onRoleLine(RoleLine line) {
    long armed = armNanos;
    if (armed == 0 || line.nanos() < armed || !survivors.contains(line.node())) {
      return;
    }
    switch (line.kind()) {
      case CANDIDATE -> candidateNanos = first(candidateNanos, line.nanos());
      case ELECTED -> leaderNanos = first(leaderNanos, line.nanos());
      case READY -> {
        if (readyNanos == 0) {
          readyNanos = line.nanos();
          newLeader = line.node();
          newTerm = line.term();
          leaderNanos = first(leaderNanos, line.nanos());
          notifyAll();
        }
      }
      case FOLLOWER -> {}
    }
  }

  private static long first(long current, long nanos) {
    return current == 0 ? nanos : current;
  }

  /** Waits until a survivor is a ready leader. */
  synchronized void awaitReady(long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (readyNanos == 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException("no survivor became a ready leader in " + timeoutMillis);
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /**
   * When the first survivor became a candidate (if its line was not seen, when one was elected).
   */
  synchronized long candidateNanos() {
    return candidateNanos != 0 ? candidateNanos : leaderNanos;
  }

  synchronized long leaderNanos() {
    return leaderNanos;
  }

  /** When a survivor's ready line arrived, or 0 if not yet. */
  synchronized long readyNanos() {
    return readyNanos;
  }

  synchronized String newLeader() {
    return newLeader;
  }

  /** The ready leader's term, or 0 if not yet. */
  synchronized long newTerm() {
    return newTerm;
  }
}
