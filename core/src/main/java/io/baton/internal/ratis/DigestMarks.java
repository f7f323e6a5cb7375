package io.baton.internal.ratis;

import io.baton.storage.ConsistentReader;
import io.baton.storage.RocksDbStateStore;
import java.io.IOException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/*
 * Replica consistency check (as TiKV and CockroachDB do it): the digest mark is a log entry, so
 * every replica computes its digest over exactly the state before that entry, whatever its apply
 * speed. Opening the RocksDB snapshot on the apply thread costs microseconds; hashing runs off it,
 * on one daemon thread. Only the most recent marks are kept: an admin verify asks for its mark
 * within seconds, and a replica that restarted since has none (it did not apply the mark itself).
 */
/** The digests of a replica's state at recent digest marks, computed off the apply thread. */
final class DigestMarks implements AutoCloseable {
  private static final int KEPT = 16;

  private final TreeMap<Long, CompletableFuture<String>> digests = new TreeMap<>();
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "baton-digest");
            t.setDaemon(true);
            return t;
          });

  /** Starts the digest of {@code store}'s state as it is now, the mark at log {@code index}. */
  void mark(RocksDbStateStore store, long index) {
    ConsistentReader reader = store.openConsistentReader();
    CompletableFuture<String> digest = new CompletableFuture<>();
    synchronized (digests) {
      digests.put(index, digest);
      while (digests.size() > KEPT) {
        digests.pollFirstEntry();
      }
    }
    try {
      executor.execute(
          () -> {
            try (reader) {
              digest.complete(HexFormat.of().formatHex(reader.digest()));
            } catch (RuntimeException e) {
              digest.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      reader.close();
      digest.completeExceptionally(new IOException("state machine is closing"));
    }
  }

  /** The hex SHA-256 at the mark at {@code index}, if this replica applied that mark recently. */
  Optional<CompletableFuture<String>> at(long index) {
    synchronized (digests) {
      return Optional.ofNullable(digests.get(index));
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
