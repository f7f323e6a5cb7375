package io.baton.torture;

/** Sleeps that keep the interrupt flag, for polling loops. */
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
