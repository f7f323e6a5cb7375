package io.baton.internal.ratis;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/** Futures waiting for the state machine to apply up to a log index (stale reads). Not API. */
final class AppliedWaiters {
  private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

  /** A future completed once {@link #applied} reports {@code index} or later. */
  CompletableFuture<Void> await(long index) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    synchronized (waiters) {
      waiters.computeIfAbsent(index, k -> new ArrayList<>()).add(ready);
    }
    return ready;
  }

  /** Completes every future waiting for {@code index} or less. */
  void applied(long index) {
    List<CompletableFuture<Void>> ready = new ArrayList<>();
    synchronized (waiters) {
      while (!waiters.isEmpty() && waiters.firstKey() <= index) {
        ready.addAll(waiters.pollFirstEntry().getValue());
      }
    }
    ready.forEach(f -> f.complete(null));
  }

  /** Cancels every waiting future. */
  void cancelAll() {
    synchronized (waiters) {
      waiters.values().forEach(l -> l.forEach(f -> f.cancel(false)));
      waiters.clear();
    }
  }
}
