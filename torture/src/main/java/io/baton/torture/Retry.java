package io.baton.torture;

import java.time.Duration;

/** Retries an idempotent action (reads, health probes) until it succeeds or time runs out. */
final class Retry {
  private Retry() {}

  /** Runs {@code action} until it returns without throwing; returns whether it ever did. */
  static boolean until(Duration timeout, Runnable action) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        action.run();
        return true;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !Sleeper.sleep(200)) {
          return false;
        }
      }
    }
  }
}
