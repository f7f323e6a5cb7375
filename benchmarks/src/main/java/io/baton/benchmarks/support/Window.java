package io.baton.benchmarks.support;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Keeps at most {@code size} asynchronous operations in flight: {@link #submit} blocks until one of
 * them completes. The latency of every operation, from its start to its completion, goes into
 * {@link #latencies()}. Failed operations are counted, never dropped silently; {@link
 * #checkNoFailures} turns them into a benchmark failure.
 *
 * <p>Thread-safe.
 */
public final class Window {
  private final int size;
  private final Semaphore permits;
  private final LongAdder completed = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
  private final LatencyHistogram latencies = new LatencyHistogram();

  /** A window of {@code size} operations. */
  public Window(int size) {
    this.size = size;
    this.permits = new Semaphore(size);
  }

  /** Waits for a free slot, then starts {@code operation}. */
  public void submit(Supplier<? extends CompletableFuture<?>> operation)
      throws InterruptedException {
    permits.acquire();
    start(operation);
  }

  /**
   * Starts {@code operation} if a slot frees up within {@code timeoutMillis}.
   *
   * @return whether it was started
   */
  public boolean trySubmit(Supplier<? extends CompletableFuture<?>> operation, long timeoutMillis)
      throws InterruptedException {
    if (!permits.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
      return false;
    }
    start(operation);
    return true;
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the callback records every outcome
  private void start(Supplier<? extends CompletableFuture<?>> operation) {
    CompletableFuture<?> f;
    long start = System.nanoTime();
    try {
      f = operation.get();
    } catch (RuntimeException e) {
      fail(e);
      permits.release();
      return;
    }
    f.whenComplete(
        (r, e) -> {
          if (e != null) {
            fail(e);
          } else {
            latencies.record(System.nanoTime() - start);
            completed.increment();
          }
          permits.release();
        });
  }

  private void fail(Throwable e) {
    failed.increment();
    firstFailure.compareAndSet(null, e);
  }

  /** Waits until nothing is in flight. */
  public void drain(long timeoutMillis) throws InterruptedException {
    if (!permits.tryAcquire(size, timeoutMillis, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(
          "operations still in flight after " + timeoutMillis + " ms: " + inFlight());
    }
    permits.release(size);
  }

  /** Operations started and not yet completed. */
  public int inFlight() {
    return size - permits.availablePermits();
  }

  /** Operations that completed successfully. */
  public long completed() {
    return completed.sum();
  }

  /** The latencies of the operations that completed successfully. */
  public LatencyHistogram latencies() {
    return latencies;
  }

  /** Operations that failed. */
  public long failed() {
    return failed.sum();
  }

  /** Throws naming the first failure if any operation failed. */
  public void checkNoFailures(String what) {
    long n = failed.sum();
    if (n > 0) {
      throw new IllegalStateException(
          n + " " + what + " failed; the first: " + firstFailure.get(), firstFailure.get());
    }
  }
}
