package io.baton.storage;

import io.baton.statemachine.StateWriter;
import java.util.Objects;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The writes of one or more log entries, applied atomically with the position of the last one by
 * {@link #commit}. Reads through the batch see the store's committed state overlaid with the
 * batch's own writes and deletes. Not thread-safe; close it, committed or not.
 */
public final class ApplyBatch implements StateWriter, AutoCloseable {
  private final RocksDbStateStore store;
  private final RocksDB db;
  // overwriteKey: a key written twice is indexed once, so scans merge it correctly.
  private final WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
  private final ReadOptions readOptions = new ReadOptions();
  private int ops;
  private boolean committed;
  private boolean discarded;

  ApplyBatch(RocksDbStateStore store) {
    this.store = store;
    this.db = store.db();
  }

  @Override
  public byte[] get(String keyspace, byte[] key) {
    Objects.requireNonNull(key, "key");
    return store.call(
        "get",
        () -> {
          ensureUsable();
          return batch.getFromBatchAndDB(db, store.handle(keyspace), readOptions, key);
        });
  }

  @Override
  public void scan(
      String keyspace, byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
    store.call(
        "scan",
        () -> {
          ensureUsable();
          RangeScan.visit(
              db, store.handle(keyspace), null, batch, fromInclusive, toExclusive, visitor);
          return null;
        });
  }

  /** The store's applied index: this batch's writes are not reflected until committed. */
  @Override
  public long appliedIndex() {
    return store.applied().index();
  }

  @Override
  public void put(String keyspace, byte[] key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    store.call(
        "put",
        () -> {
          ensureUsable();
          batch.put(store.handle(keyspace), key, value);
          ops++;
          return null;
        });
  }

  @Override
  public void delete(String keyspace, byte[] key) {
    Objects.requireNonNull(key, "key");
    store.call(
        "delete",
        () -> {
          ensureUsable();
          batch.delete(store.handle(keyspace), key);
          ops++;
          return null;
        });
  }

  /**
   * Sets Baton's metadata value {@code name} to {@code value}, atomically with the rest of the
   * batch; read it with {@link RocksDbStateStore#metadata}.
   */
  public void putMetadata(String name, byte[] value) {
    byte[] key = RocksDbStateStore.metadataKey(name);
    Objects.requireNonNull(value, "value");
    store.call(
        "putMetadata",
        () -> {
          ensureUsable();
          batch.put(store.metaHandle(), key, value);
          ops++;
          return null;
        });
  }

  /** The number of put and delete operations in this batch so far. */
  public int size() {
    return ops;
  }

  /**
   * Writes the batch and the applied position {@code (term, index)} in one atomic RocksDB write,
   * then frees the batch: it cannot be used afterwards. An empty batch just moves the applied
   * position.
   *
   * @throws IllegalStateException if {@code index} is not above the store's applied index (the
   *     batch is then unchanged and still usable), or the batch was committed or closed
   * @throws StorageException if the write fails; nothing is then written and the batch is unchanged
   */
  public void commit(long term, long index) {
    AppliedIndex next = new AppliedIndex(term, index);
    store.call(
        "commit",
        () -> {
          ensureUsable();
          store.commit(batch, next);
          committed = true;
          return null;
        });
    free();
  }

  /** Discards the batch's writes if not committed and frees it. Idempotent. */
  @Override
  public void close() {
    discarded = true;
    free();
  }

  private void free() {
    batch.close();
    readOptions.close();
  }

  private void ensureUsable() {
    if (committed) {
      throw new IllegalStateException("batch already committed");
    }
    if (discarded) {
      throw new IllegalStateException("batch closed");
    }
  }
}
