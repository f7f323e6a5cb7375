package io.baton.storage;

import io.baton.statemachine.StateReader;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;

/**
 * A read-only view of the state at one point in time, from {@link
 * RocksDbStateStore#openConsistentReader()}. Later commits are not visible to it.
 */
public final class ConsistentReader implements StateReader, AutoCloseable {
  private final RocksDbStateStore store;
  private final RocksDB db;
  private final Snapshot snapshot;
  private final ReadOptions readOptions;
  private final long appliedIndex;
  private final AtomicBoolean released = new AtomicBoolean();

  ConsistentReader(RocksDbStateStore store) throws RocksDBException {
    this.store = store;
    this.db = store.db();
    snapshot = db.getSnapshot();
    readOptions = new ReadOptions().setSnapshot(snapshot);
    try {
      appliedIndex =
          AppliedIndex.fromBytes(
                  db.get(store.metaHandle(), readOptions, RocksDbStateStore.APPLIED_KEY))
              .index();
    } catch (RocksDBException | RuntimeException e) {
      release();
      throw e;
    }
  }

  @Override
  public byte[] get(String keyspace, byte[] key) {
    Objects.requireNonNull(key, "key");
    return store.call(
        "get",
        () -> {
          ensureNotReleased();
          return db.get(store.handle(keyspace), readOptions, key);
        });
  }

  @Override
  public void scan(
      String keyspace, byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    store.call(
        "scan",
        () -> {
          ensureNotReleased();
          RangeScan.visit(
              db, store.handle(keyspace), snapshot, null, fromInclusive, toExclusive, visitor);
          return null;
        });
  }

  /** The log index of the last entry reflected in this view. */
  @Override
  public long appliedIndex() {
    ensureNotReleased();
    return appliedIndex;
  }

  /**
   * The {@link RocksDbStateStore#digest() digest} of this view: of the state at {@link
   * #appliedIndex()}, whatever was committed since. Reads every entry.
   */
  public byte[] digest() {
    return store.call(
        "digest",
        () -> {
          ensureNotReleased();
          return StateDigest.compute(db, store.keyspaceHandles(), readOptions);
        });
  }

  /** Releases the pinned RocksDB snapshot. Idempotent; also done by closing the store. */
  @Override
  public void close() {
    store.closeReader(this);
  }

  void release() {
    if (released.compareAndSet(false, true)) {
      readOptions.close();
      db.releaseSnapshot(snapshot);
    }
  }

  private void ensureNotReleased() {
    store.ensureOpen();
    if (released.get()) {
      throw new IllegalStateException("reader closed");
    }
  }
}
