package io.baton.torture;

import io.baton.torture.check.Op;
import io.baton.torture.check.OpType;
import io.baton.torture.check.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The record of every operation of a run, in the harness JVM's one {@code System.nanoTime} clock
 * (offsets from the start of the run). A client calls {@link #invoke} immediately before the API
 * call and completes the returned {@link Pending} immediately after it. Thread-safe.
 */
final class History {
  private final long origin = System.nanoTime();
  private final AtomicLong ids = new AtomicLong();
  private final List<Op> done = new ArrayList<>();
  private final Set<Pending> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private volatile long lastOkNanos;

  /** Nanoseconds since the start of the run. */
  long now() {
    return System.nanoTime() - origin;
  }

  /** Converts a {@code System.nanoTime()} reading to this history's clock. */
  long toHistoryTime(long nanoTime) {
    return nanoTime - origin;
  }

  /** An operation in flight. Complete it exactly once. */
  final class Pending {
    private final long id = ids.getAndIncrement();
    private final int process;
    private final String key;
    private final OpType type;
    private final String value;
    private final String expected;
    private final long invoked = now();

    private Pending(int process, String key, OpType type, String value, String expected) {
      this.process = process;
      this.key = key;
      this.type = type;
      this.value = value;
      this.expected = expected;
    }

    void ok(String result) {
      complete(Outcome.OK, result, null, null);
    }

    void okElements(Set<String> elements) {
      complete(Outcome.OK, null, elements, null);
    }

    void fail(String error) {
      complete(Outcome.FAIL, null, null, error);
    }

    void unknown(String error) {
      complete(Outcome.UNKNOWN, null, null, error);
    }

    private void complete(Outcome outcome, String result, Set<String> elements, String error) {
      if (!open.remove(this)) {
        throw new IllegalStateException("operation " + id + " completed twice");
      }
      long t = Math.max(invoked, now());
      Op op =
          new Op(
              id, process, key, type, value, expected, outcome, result, elements, invoked, t,
              error);
      synchronized (done) {
        done.add(op);
      }
      switch (outcome) {
        case OK -> {
          ok.incrementAndGet();
          lastOkNanos = t;
        }
        case FAIL -> failed.incrementAndGet();
        case UNKNOWN -> unknown.incrementAndGet();
      }
    }
  }

  /** Records the invocation of an operation; see {@link Op} for the fields. */
  Pending invoke(int process, String key, OpType type, String value, String expected) {
    Pending p = new Pending(process, key, type, value, expected);
    open.add(p);
    return p;
  }

  /** Completes every operation still open (a client thread that never came back) as unknown. */
  void abandonOpen() {
    for (Pending p : List.copyOf(open)) {
      p.unknown("client did not return before the end of the run");
    }
  }

  /** Every completed operation, ordered by invocation. */
  List<Op> ops() {
    List<Op> copy;
    synchronized (done) {
      copy = new ArrayList<>(done);
    }
    copy.sort(Comparator.comparingLong(Op::invokeNanos).thenComparingLong(Op::id));
    return copy;
  }

  long okCount() {
    return ok.get();
  }

  long failCount() {
    return failed.get();
  }

  long unknownCount() {
    return unknown.get();
  }

  long lastOkNanos() {
    return lastOkNanos;
  }
}
