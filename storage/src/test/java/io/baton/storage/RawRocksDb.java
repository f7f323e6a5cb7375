package io.baton.storage;

import static io.baton.statemachine.Keys.utf8;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * A RocksDB database opened directly, without the store, with the column families a test names: for
 * testing the store's parts on their own, and for editing a store's files behind its back.
 */
final class RawRocksDb implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final DBOptions options;
  private final RocksDB db;
  private final Map<String, ColumnFamilyHandle> handles = new LinkedHashMap<>();

  /**
   * Opens (creating if missing) the database in {@code dir} with the default column family and
   * {@code columnFamilies}, which are created if missing.
   */
  RawRocksDb(Path dir, String... columnFamilies) throws RocksDBException {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
    for (String name : columnFamilies) {
      descriptors.add(new ColumnFamilyDescriptor(utf8(name)));
    }
    options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
    List<ColumnFamilyHandle> opened = new ArrayList<>();
    try {
      db = RocksDB.open(options, dir.toString(), descriptors, opened);
    } catch (RocksDBException e) {
      options.close();
      throw e;
    }
    handles.put("default", opened.get(0));
    for (int i = 0; i < columnFamilies.length; i++) {
      handles.put(columnFamilies[i], opened.get(i + 1));
    }
  }

  RocksDB db() {
    return db;
  }

  /** The handle of column family {@code name} ({@code "default"} for the default one). */
  ColumnFamilyHandle cf(String name) {
    return handles.get(name);
  }

  /** Every open column family, by name, default first. */
  Map<String, ColumnFamilyHandle> all() {
    return handles;
  }

  void put(String cf, String key, String value) throws RocksDBException {
    db.put(cf(cf), utf8(key), utf8(value));
  }

  @Override
  public void close() {
    handles.values().forEach(ColumnFamilyHandle::close);
    db.close();
    options.close();
  }
}
