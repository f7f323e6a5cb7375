package io.baton.storage;

import io.baton.statemachine.StateReader;
import java.util.Arrays;
import java.util.Objects;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Visits a key range of one column family for the store's readers and batches: as of a snapshot or
 * the latest state, optionally overlaid with a batch's uncommitted writes, freeing the native
 * iterator and bounds whatever the visitor does.
 */
final class RangeScan {
  private RangeScan() {}

  /**
   * Visits entries of {@code cf} in {@code [from, to)} in key order, as of {@code snapshot} (or the
   * latest state if null), merged with the uncommitted writes of {@code batch} if not null. A null
   * bound is open.
   */
  static void visit(
      RocksDB db,
      ColumnFamilyHandle cf,
      Snapshot snapshot,
      WriteBatchWithIndex batch,
      byte[] from,
      byte[] to,
      StateReader.EntryVisitor visitor)
      throws RocksDBException {
    Objects.requireNonNull(visitor, "visitor");
    Slice lower = from == null ? null : new Slice(from);
    Slice upper = to == null ? null : new Slice(to);
    try (ReadOptions ro = new ReadOptions()) {
      if (lower != null) {
        ro.setIterateLowerBound(lower);
      }
      if (upper != null) {
        ro.setIterateUpperBound(upper);
      }
      if (snapshot != null) {
        ro.setSnapshot(snapshot);
      }
      RocksIterator base = db.newIterator(cf, ro);
      RocksIterator it;
      if (batch == null) {
        it = base;
      } else {
        try {
          // Takes ownership of base: closing it closes both.
          it = batch.newIteratorWithBase(cf, base, ro);
        } catch (RuntimeException e) {
          base.close();
          throw e;
        }
      }
      try (it) {
        if (from == null) {
          it.seekToFirst();
        } else {
          it.seek(from);
        }
        // The upper bound is checked here too instead of trusting iterate_upper_bound alone: how
        // the batch overlay iterator honours it has varied between RocksDB versions.
        while (it.isValid()) {
          byte[] key = it.key();
          if (to != null && Arrays.compareUnsigned(key, to) >= 0) {
            break;
          }
          if (!visitor.visit(key, it.value())) {
            break;
          }
          it.next();
        }
        it.status();
      }
    } finally {
      if (lower != null) {
        lower.close();
      }
      if (upper != null) {
        upper.close();
      }
    }
  }
}
