package io.baton.examples.demo;

import io.baton.examples.kv.KvClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's client load: writes k-n=v-n for n = 1, 2, ... one at a time, each waiting for its
 * acknowledgement, until stopped, and records each outcome with its times.
 */
final class DemoWriter implements Runnable {
  /** One write: acknowledged if {@code error} is null; times are {@link System#nanoTime()}. */
  record Write(long number, long startNanos, long endNanos, String error) {}

  private final KvClient kv;
  private final List<Write> writes = new ArrayList<>(); // guarded by this
  private volatile boolean stopped;

  DemoWriter(KvClient kv) {
    this.kv = kv;
  }

  @Override
  public void run() {
    for (long n = 1; !stopped; n++) {
      long start = System.nanoTime();
      String error = null;
      try {
        kv.put("k-" + n, "v-" + n);
      } catch (RuntimeException e) {
        error = e.toString();
      }
      Write w = new Write(n, start, System.nanoTime(), error);
      synchronized (this) {
        writes.add(w);
      }
    }
  }

  void stop() {
    stopped = true;
  }

  synchronized List<Write> acknowledged() {
    return writes.stream().filter(w -> w.error() == null).toList();
  }

  synchronized List<Write> failed() {
    return writes.stream().filter(w -> w.error() != null).toList();
  }
}
