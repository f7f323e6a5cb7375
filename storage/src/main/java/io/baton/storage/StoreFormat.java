package io.baton.storage;

import io.baton.statemachine.Keys;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The store format marker in {@code baton.meta}: stamps a newly created store with the format this
 * version writes, and refuses a store whose marker is unknown (written by a newer Baton, or
 * garbled) or that holds data without any marker.
 */
final class StoreFormat {
  /** The store format this version writes, and the newest it opens. */
  static final long VERSION = 1;

  /** The key of the marker in {@code baton.meta}. */
  static final byte[] KEY = Keys.utf8("format");

  private StoreFormat() {}

  /**
   * Checks the marker of an open database, writing it (synced) if the store is new.
   *
   * @param dir the store directory, for messages
   * @param meta the {@code baton.meta} column family
   * @param all every column family of the database
   * @param created whether the directory was empty, so the database was just created
   * @throws StorageException naming {@code dir} if the store must not be used
   * @throws RocksDBException if RocksDB fails to read or write
   */
  static void check(
      Path dir, RocksDB db, ColumnFamilyHandle meta, List<ColumnFamilyHandle> all, boolean created)
      throws RocksDBException {
    byte[] marker = db.get(meta, KEY);
    if (marker == null) {
      // A crash between RocksDB creating the database and the marker being written leaves an
      // empty database with our column family: finish the creation. Anything else with data in
      // it is not ours to take over.
      if (!created && !isEmpty(db, all)) {
        throw new StorageException(
            "refusing to open state store "
                + dir
                + ": it holds data but no Baton format marker, so it is not a Baton state store,"
                + " or its files are damaged");
      }
      try (WriteOptions sync = new WriteOptions().setSync(true)) {
        db.put(meta, sync, KEY, Keys.longBytes(VERSION));
      }
      return;
    }
    long format = marker.length == Long.BYTES ? Keys.toLong(marker) : -1;
    if (format < 1 || format > VERSION) {
      throw new StorageException(
          "refusing to open state store "
              + dir
              + ": unknown store format "
              + (format < 0 ? "marker of " + marker.length + " bytes" : Long.toString(format))
              + " (this version of Baton supports format "
              + VERSION
              + "); it was probably written by a newer Baton");
    }
  }

  private static boolean isEmpty(RocksDB db, List<ColumnFamilyHandle> handles) {
    for (ColumnFamilyHandle h : handles) {
      try (RocksIterator it = db.newIterator(h)) {
        it.seekToFirst();
        if (it.isValid()) {
          return false;
        }
      }
    }
    return true;
  }
}
