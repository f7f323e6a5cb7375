package io.baton.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition or an attempt until it succeeds or a deadline passes; not API.
 *
 * <p>This is the one waiting loop of Baton's main code: every "wait until the node reports X" and
 * "ask again while the answer is 'not yet'" goes through it, with the deadline and the pause
 * between attempts stated by the caller. Attempts run on the calling thread; an interrupt ends the
 * wait at once (with the interrupt flag set) and counts as running out of time.
 */
public final class Await {
  private Await() {}

  /**
   * Evaluates {@code condition} until it is true, pausing {@code interval} between evaluations;
   * returns whether it became true before {@code deadline}. It is evaluated at least once, even on
   * an expired deadline.
   */
  public static boolean until(Deadline deadline, Duration interval, BooleanSupplier condition) {
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (!deadline.pause(interval)) {
        return false;
      }
    }
  }

  /**
   * {@link #until(Deadline, Duration, BooleanSupplier)} with a deadline {@code timeout} from now.
   */
  public static boolean until(Duration timeout, Duration interval, BooleanSupplier condition) {
    return until(Deadline.after(timeout), interval, condition);
  }

  /**
   * Runs {@code attempt} until it returns a value, pausing {@code interval} between attempts;
   * returns that value, or empty if {@code deadline} passed first. It runs at least once.
   */
  public static <T> Optional<T> poll(
      Deadline deadline, Duration interval, Supplier<Optional<T>> attempt) {
    while (true) {
      Optional<T> result = attempt.get();
      if (result.isPresent()) {
        return result;
      }
      if (!deadline.pause(interval)) {
        return Optional.empty();
      }
    }
  }
}
