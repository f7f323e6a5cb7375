package io.baton.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A point in time by which something must finish, read from a monotonic ticker; not API.
 *
 * <p>Baton's waiting and retrying loops all ask the same three questions: has the time run out, how
 * much is left (to pass on as a timeout to the next call), and may I pause before the next attempt.
 * A {@code Deadline} answers them, so that a loop states its policy and not its clock arithmetic.
 * Pauses never run past the deadline, and an interrupted pause restores the interrupt flag and
 * reports that the loop should stop.
 *
 * <p>Instances are immutable and thread-safe. The ticker is {@link System#nanoTime()} unless a test
 * supplies its own.
 */
public final class Deadline {
  private static final LongSupplier SYSTEM_TICKER = System::nanoTime;

  private final LongSupplier ticker;
  private final long endNanos;

  private Deadline(LongSupplier ticker, long endNanos) {
    this.ticker = ticker;
    this.endNanos = endNanos;
  }

  /** A deadline {@code timeout} from now on the system's monotonic clock. */
  public static Deadline after(Duration timeout) {
    return after(timeout, SYSTEM_TICKER);
  }

  /** A deadline {@code timeout} from now on {@code ticker} (nanoseconds, monotonic). */
  public static Deadline after(Duration timeout, LongSupplier ticker) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(ticker, "ticker");
    Preconditions.checkArgument(
        !timeout.isNegative(), "timeout (%s) must not be negative", timeout);
    long now = ticker.getAsLong();
    long nanos = saturatedNanos(timeout);
    long end = now + nanos;
    return new Deadline(ticker, end < now ? Long.MAX_VALUE : end);
  }

  /** Whether the deadline has passed. */
  public boolean expired() {
    return ticker.getAsLong() - endNanos >= 0;
  }

  /** The time left, zero once expired. */
  public Duration remaining() {
    return Duration.ofNanos(Math.max(0, endNanos - ticker.getAsLong()));
  }

  /** The time left in whole milliseconds, at least 1 while not expired and 0 once expired. */
  public long remainingMillis() {
    long nanos = endNanos - ticker.getAsLong();
    return nanos <= 0 ? 0 : Math.max(1, nanos / 1_000_000);
  }

  /** The earlier of this deadline and one {@code timeout} from now. */
  public Deadline capped(Duration timeout) {
    Deadline other = after(timeout, ticker);
    return other.endNanos - endNanos < 0 ? other : this;
  }

  /**
   * Sleeps for {@code pause}, or less if the deadline comes first; returns {@code false} without
   * sleeping if the deadline has passed, and {@code false} (with the interrupt flag set) if the
   * thread was interrupted, so a loop can write {@code while (deadline.pause(p)) { ... }}.
   */
  public boolean pause(Duration pause) {
    long left = endNanos - ticker.getAsLong();
    if (left <= 0 || Thread.currentThread().isInterrupted()) {
      return false;
    }
    // parkNanos, not Thread.sleep: sleep rounds sub-millisecond pauses up to a whole millisecond,
    // and the demo and benchmarks time failovers with pauses of a fraction of one.
    LockSupport.parkNanos(Math.min(left, saturatedNanos(pause)));
    return !Thread.currentThread().isInterrupted();
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public String toString() {
    return "Deadline[remaining=" + remaining() + "]";
  }
}
