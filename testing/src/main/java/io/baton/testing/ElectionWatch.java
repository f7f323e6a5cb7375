package io.baton.testing;

import io.baton.BatonNode;
import io.baton.statemachine.Role;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches the nodes that survive a kill, from the moment it is {@linkplain #arm armed}, and records
 * when the first of them became a candidate (its election timer fired: the failure was detected),
 * when one became leader, and when that leader was ready (it committed an entry of its term, so it
 * serves writes).
 *
 * <p>It polls {@link BatonNode#status()} and {@link BatonNode#isLeader()} about every 100 µs on its
 * own thread. Baton's role listeners report leader and follower changes but not candidacy, so
 * polling is the only public way to see the candidate phase; 100 µs is far below the phases
 * measured (milliseconds), and a candidacy shorter than one poll is counted as detected when the
 * leader appeared ({@link #candidateMissed()}).
 *
 * <p>Used by the failover demo and the failover benchmark; {@link FailoverPhases} turns its times
 * into the phases of a failover.
 */
public final class ElectionWatch implements AutoCloseable {
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  private final List<BatonNode> survivors;
  private final Thread thread;
  private volatile boolean armed;
  private volatile boolean stopped;
  private volatile long candidateNanos;
  private volatile long leaderNanos;
  private volatile long readyNanos;
  private volatile String newLeader;

  /** Starts a watcher thread, idle until {@link #arm}. */
  public ElectionWatch(List<BatonNode> survivors) {
    this.survivors = List.copyOf(survivors);
    this.thread = new Thread(this::run, "election-watch");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts recording. */
  public void arm() {
    armed = true;
    LockSupport.unpark(thread);
  }

  private void run() {
    while (!stopped && !armed) {
      LockSupport.parkNanos(POLL_NANOS);
    }
    while (!stopped && readyNanos == 0) {
      for (BatonNode n : survivors) {
        Role role = n.status().role();
        long now = System.nanoTime();
        if (role == Role.CANDIDATE && candidateNanos == 0) {
          candidateNanos = now;
        }
        if (role == Role.LEADER && leaderNanos == 0) {
          leaderNanos = now;
        }
        if (n.isLeader()) {
          long t = System.nanoTime();
          if (leaderNanos == 0) {
            leaderNanos = t;
          }
          newLeader = n.id();
          readyNanos = t;
          break;
        }
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  /** Waits until a survivor is a ready leader. */
  public void awaitReady(long timeoutMillis) throws InterruptedException {
    thread.join(timeoutMillis);
    if (readyNanos == 0) {
      throw new IllegalStateException("no survivor became a ready leader in " + timeoutMillis);
    }
  }

  /** When the first survivor was seen as a candidate (or, if missed, when a leader appeared). */
  public long candidateNanos() {
    return candidateNanos != 0 ? candidateNanos : leaderNanos;
  }

  /** Whether no survivor was seen as candidate: its candidacy was shorter than one poll. */
  public boolean candidateMissed() {
    return candidateNanos == 0;
  }

  /** When a survivor was first seen as leader. */
  public long leaderNanos() {
    return leaderNanos;
  }

  /** When that leader was first seen ready, or 0 if not yet. */
  public long readyNanos() {
    return readyNanos;
  }

  /** The id of the new leader, once ready. */
  public String newLeader() {
    return newLeader;
  }

  @Override
  public void close() {
    stopped = true;
    LockSupport.unpark(thread);
  }
}
