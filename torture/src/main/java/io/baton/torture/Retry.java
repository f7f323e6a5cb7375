package io.baton.torture;

import io.baton.internal.Await;
import java.time.Duration;

/**
 * Retries an idempotent action (reads, health probes, the start marker) until it stops throwing or
 * time runs out: {@link Await} with "threw" read as "not yet".
 */
final class Retry {
  private static final Duration INTERVAL = Duration.ofMillis(200);

  private Retry() {}

  /** Runs {@code action} until it returns without throwing; returns whether it ever did. */
  static boolean until(Duration timeout, Runnable action) {
    return Await.until(timeout, INTERVAL, () -> succeeds(action));
  }

  private static boolean succeeds(Runnable action) {
    try {
      action.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
