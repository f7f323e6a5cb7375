package io.baton.storage;

import io.baton.statemachine.Keys;
import io.baton.statemachine.StateReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native RocksDB resources of one store: opens the database with Baton's options and its column
 * families, and frees everything in the order RocksDB requires. Knows nothing of the applied index
 * or the format marker.
 */
final class RocksDbHandles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RocksDbHandles.class);

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final WriteOptions writeOptions;
  private final RocksDB db;
  private final List<ColumnFamilyHandle> all;
  private final ColumnFamilyHandle meta;
  private final Map<String, ColumnFamilyHandle> keyspaces;

  static {
    RocksDB.loadLibrary();
  }

  private RocksDbHandles(
      Path dir,
      DBOptions dbOptions,
      ColumnFamilyOptions cfOptions,
      WriteOptions writeOptions,
      RocksDB db,
      List<ColumnFamilyHandle> all,
      ColumnFamilyHandle meta,
      Map<String, ColumnFamilyHandle> keyspaces) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.writeOptions = writeOptions;
    this.db = db;
    this.all = all;
    this.meta = meta;
    this.keyspaces = keyspaces;
  }

  /**
   * Opens the database in {@code dir}, creating it if {@code contents} says the directory is empty.
   * Opens the column families {@code contents} lists, the default one, {@code baton.meta} and one
   * per name in {@code keyspaces}, creating those that are missing.
   *
   * @throws StorageException naming {@code dir} if RocksDB cannot open it
   */
  static RocksDbHandles open(Path dir, StoreDirectory.Contents contents, Set<String> keyspaces) {
    // Column families to open, in a stable order: default first, then meta, then the rest.
    Map<String, byte[]> cfNames = new LinkedHashMap<>();
    cfNames.put(StateReader.DEFAULT_KEYSPACE, RocksDB.DEFAULT_COLUMN_FAMILY);
    cfNames.put(RocksDbStateStore.META_KEYSPACE, Keys.utf8(RocksDbStateStore.META_KEYSPACE));
    for (byte[] name : contents.columnFamilies()) {
      cfNames.putIfAbsent(new String(name, StandardCharsets.UTF_8), name);
    }
    for (String ks : keyspaces) {
      cfNames.putIfAbsent(ks, Keys.utf8(ks));
    }

    List<AutoCloseable> toCloseOnFailure = new ArrayList<>();
    try {
      DBOptions dbOptions =
          newDbOptions()
              .setCreateIfMissing(contents.empty())
              .setCreateMissingColumnFamilies(true)
              .setKeepLogFileNum(5);
      toCloseOnFailure.add(dbOptions);
      ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
      toCloseOnFailure.add(cfOptions);
      // WAL on, but not fsynced per write: the Raft log is the write-ahead log of record.
      WriteOptions writeOptions = new WriteOptions().setSync(false).setDisableWAL(false);
      toCloseOnFailure.add(writeOptions);

      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : cfNames.values()) {
        descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>();
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      toCloseOnFailure.add(db);
      toCloseOnFailure.addAll(handles);

      List<String> names = new ArrayList<>(cfNames.keySet());
      Map<String, ColumnFamilyHandle> accessible = new TreeMap<>();
      accessible.put(StateReader.DEFAULT_KEYSPACE, handles.get(0));
      for (String ks : keyspaces) {
        accessible.put(ks, handles.get(names.indexOf(ks)));
      }
      return new RocksDbHandles(
          dir,
          dbOptions,
          cfOptions,
          writeOptions,
          db,
          List.copyOf(handles),
          handles.get(names.indexOf(RocksDbStateStore.META_KEYSPACE)),
          Collections.unmodifiableMap(accessible));
    } catch (RocksDBException e) {
      Collections.reverse(toCloseOnFailure);
      closeAll(toCloseOnFailure);
      throw new StorageException("cannot open state store " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      Collections.reverse(toCloseOnFailure);
      closeAll(toCloseOnFailure);
      throw e;
    }
  }

  /*
   * Recovery must yield a consistent prefix of the applied batches, even from a damaged MANIFEST: the
   * applied index says where the store is, and Raft replays the rest. RocksDB alone does not ensure
   * that. A MANIFEST that lost its last edits (truncated by a disk fault) makes RocksDB forget SST
   * files and the position they cover, while newer WAL files are still replayed over the gap: the
   * store then holds the newest applied index without the data of the forgotten files. Measured on
   * a store with three flushes, 330 of the 840 truncation points of its MANIFEST opened that way,
   * silently (DamagedFilesTest).
   *  - atomic_flush: the column families flush together and their MANIFEST edits are recorded as one
   *    atomic group, so state and applied index (in baton.meta) cannot be lost separately.
   *  - track_and_verify_wals (no Java setter in rocksdbjni 10.2.1): each WAL records its predecessor,
   *    so a WAL replayed after a missing one is detected; in point-in-time recovery, the default,
   *    replay stops there. With both options every truncation point either fails to open or opens
   *    an older, consistent state.
   */
  private static DBOptions newDbOptions() {
    Properties p = new Properties();
    p.setProperty("track_and_verify_wals", "true");
    DBOptions options = DBOptions.getDBOptionsFromProps(p);
    if (options == null) {
      throw new IllegalStateException("RocksDB does not accept option track_and_verify_wals");
    }
    return options.setAtomicFlush(true);
  }

  /** The database. */
  RocksDB db() {
    return db;
  }

  /** The options of the store's writes: WAL on, not synced. */
  WriteOptions writeOptions() {
    return writeOptions;
  }

  /** The reserved {@code baton.meta} column family. */
  ColumnFamilyHandle meta() {
    return meta;
  }

  /** Every open column family, including undeclared ones and {@code baton.meta}. */
  List<ColumnFamilyHandle> all() {
    return all;
  }

  /** The default and the declared keyspaces' column families, sorted by name. */
  Map<String, ColumnFamilyHandle> keyspaces() {
    return keyspaces;
  }

  /** Frees the native resources, logging rather than stopping on failures. Call once. */
  @Override
  public void close() {
    // RocksDB requires the column family handles to go before the database, and the database
    // before the options it was opened with.
    List<AutoCloseable> resources = new ArrayList<>(all);
    resources.add(
        () -> {
          try {
            db.closeE();
          } catch (RocksDBException e) {
            log.warn("Error closing state store {}: {}", dir, e.getMessage());
          }
        });
    resources.addAll(List.of(writeOptions, cfOptions, dbOptions));
    closeAll(resources);
  }

  private static void closeAll(List<? extends AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        log.warn("Error closing {}: {}", r, e.toString());
      }
    }
  }
}
