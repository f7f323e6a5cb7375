package io.baton.torture;

/**
 * Plain sleeps that keep the interrupt flag, for pacing that waits on no condition (a client's
 * think time, a chunk's release time, the progress line's period). Waiting for a condition uses
 * {@code io.baton.internal.Await} and {@code Deadline} instead.
 */
final class Sleeper {
  private Sleeper() {}

  /** Sleeps {@code millis}; returns false (with the interrupt flag set) if interrupted. */
  static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
