package io.baton.benchmarks.support;

import io.baton.BatonClient;
import io.baton.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A steady background write load: small puts issued asynchronously at a fixed rate (open loop) from
 * one thread, each one's scheduled start and acknowledgement recorded, so a benchmark can ask
 * afterwards how long the writes around an event took and whether any failed.
 *
 * <p>Open loop means a write is issued when its time comes, not when the previous one finished, so
 * a stall shows up as latency of every write scheduled during it. Latency is measured from the
 * scheduled time. When the client itself blocks (it holds at most 100 commands in flight), the
 * writer falls behind and skips the slots it missed rather than bursting to catch up; the write
 * that blocked still carries the whole wait in its latency.
 *
 * <p>A writer made with a {@link LatencyHistogram} keeps no record per write, for loads too long to
 * hold one (ten minutes at 10,000 writes/s): each acknowledged write's latency goes into the
 * histogram instead, and the questions about a time window ({@link #maxLatencyNanos}, {@link
 * #firstAck}, {@link #scheduledBetween}, {@link #longestAckGapNanos}) see no writes. Such a writer
 * also keeps to its schedule rather than skip slots: after the thread woke up late or the client
 * blocked, it issues the writes it missed back to back, so over a long run it issues the rate asked
 * for (if the cluster keeps up), each write's latency still counted from its scheduled time.
 *
 * <p>Thread-safe.
 */
public final class PacedWriter implements AutoCloseable {
  private static final int VALUE_BYTES = 64;
  private static final long KEYS = 100_000;

  private final BatonClient client;
  private final long periodNanos;
  private final Thread thread;
  private final Object lock = new Object();
  private final List<long[]> records = new ArrayList<>(); // {scheduled, acknowledged or 0}
  private final LatencyHistogram latencies; // null: keep the records instead
  private long inFlight; // guarded by lock; counted only without records
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private volatile boolean running = true;

  /** Starts writing {@code writesPerSecond} puts through {@code client}. */
  public PacedWriter(BatonClient client, int writesPerSecond) {
    this(client, writesPerSecond, null);
  }

  /**
   * Starts writing {@code writesPerSecond} puts through {@code client}, keeping no record per
   * write: the latency of each acknowledged one goes into {@code latencies}.
   */
  public PacedWriter(BatonClient client, int writesPerSecond, LatencyHistogram latencies) {
    this.client = client;
    this.latencies = latencies;
    this.periodNanos = TimeUnit.SECONDS.toNanos(1) / writesPerSecond;
    this.thread = new Thread(this::run, "bench-paced-writer");
    thread.setDaemon(true);
    thread.start();
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the callback records every outcome
  private void run() {
    byte[] value = new byte[VALUE_BYTES];
    long seq = 0;
    long next = System.nanoTime();
    while (running) {
      long now = System.nanoTime();
      if (now < next) {
        LockSupport.parkNanos(next - now);
        continue;
      }
      long scheduled = next;
      boolean skip = latencies == null && now - next > periodNanos;
      next = skip ? now + periodNanos : next + periodNanos;
      long[] record = latencies == null ? new long[] {scheduled, 0} : null;
      synchronized (lock) {
        if (record != null) {
          records.add(record);
        } else {
          inFlight++;
        }
      }
      try {
        client
            .submitAsync(BenchStateMachine.put(seq++ % KEYS, value))
            .whenComplete(
                (r, e) -> {
                  long end = System.nanoTime();
                  if (e != null) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e);
                  } else {
                    acknowledged.incrementAndGet();
                    if (latencies != null) {
                      latencies.record(end - scheduled);
                    }
                  }
                  answered(record, end);
                });
      } catch (RuntimeException e) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, e);
        answered(record, System.nanoTime());
      }
    }
  }

  private void answered(long[] record, long end) {
    synchronized (lock) {
      if (record != null) {
        record[1] = end;
      } else {
        inFlight--;
      }
      lock.notifyAll();
    }
  }

  /** Forgets the writes recorded so far (their failures stay counted). */
  public void forget() {
    synchronized (lock) {
      records.removeIf(r -> r[1] != 0);
    }
  }

  /**
   * Waits until every write scheduled before {@code nanos} was acknowledged or failed. A writer
   * without records waits for every write issued so far, whatever {@code nanos}.
   *
   * @throws IllegalStateException if that takes longer than {@code timeoutMillis}
   */
  public void awaitScheduledBefore(long nanos, long timeoutMillis) throws InterruptedException {
    Deadline deadline = Deadline.after(Duration.ofMillis(timeoutMillis));
    synchronized (lock) {
      while (true) {
        boolean pending = inFlight > 0;
        for (long[] r : records) {
          if (r[0] < nanos && r[1] == 0) {
            pending = true;
            break;
          }
        }
        if (!pending) {
          return;
        }
        long left = deadline.remainingMillis();
        if (left == 0) {
          throw new IllegalStateException(
              "writes scheduled before the end of the measured window are still unanswered after "
                  + timeoutMillis
                  + " ms");
        }
        lock.wait(left);
      }
    }
  }

  /**
   * The longest latency of a write that was in flight at some point in {@code [from, to]}:
   * scheduled before {@code to} and acknowledged after {@code from}. Call {@link
   * #awaitScheduledBefore} first.
   */
  public long maxLatencyNanos(long from, long to) {
    long max = 0;
    synchronized (lock) {
      for (long[] r : records) {
        if (r[0] <= to && r[1] >= from && r[1] != 0) {
          max = Math.max(max, r[1] - r[0]);
        }
      }
    }
    return max;
  }

  /**
   * The earliest acknowledgement, at or after {@code ackFrom}, of a write scheduled at or after
   * {@code scheduledFrom}; 0 if there is none yet.
   */
  public long firstAck(long scheduledFrom, long ackFrom) {
    long first = 0;
    synchronized (lock) {
      for (long[] r : records) {
        if (r[0] >= scheduledFrom && r[1] >= ackFrom && r[1] != 0 && (first == 0 || r[1] < first)) {
          first = r[1];
        }
      }
    }
    return first;
  }

  /** How many writes were scheduled in {@code [from, to]}. */
  public long scheduledBetween(long from, long to) {
    long n = 0;
    synchronized (lock) {
      for (long[] r : records) {
        if (r[0] >= from && r[0] <= to) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * The longest time between two consecutive acknowledgements, counting from {@code from} to the
   * first acknowledgement after it, among acknowledgements up to {@code to}.
   */
  public long longestAckGapNanos(long from, long to) {
    List<Long> acks = new ArrayList<>();
    synchronized (lock) {
      for (long[] r : records) {
        if (r[1] != 0 && r[1] >= from && r[1] <= to) {
          acks.add(r[1]);
        }
      }
    }
    acks.sort(null);
    long gap = 0;
    long previous = from;
    for (long a : acks) {
      gap = Math.max(gap, a - previous);
      previous = a;
    }
    return gap;
  }

  /** Writes acknowledged since the writer started. */
  public long acknowledged() {
    return acknowledged.get();
  }

  /** Writes that failed since the writer started. */
  public long failed() {
    return failed.get();
  }

  /** Throws naming the first failure if any write failed. */
  public void checkNoFailures() {
    long n = failed.get();
    if (n > 0) {
      throw new IllegalStateException(
          n + " background writes failed; the first: " + firstFailure.get(), firstFailure.get());
    }
  }

  /** Stops issuing writes and waits briefly for those in flight. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(10_000);
      awaitScheduledBefore(Long.MAX_VALUE, 30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
