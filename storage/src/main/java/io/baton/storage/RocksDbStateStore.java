package io.baton.storage;

import io.baton.statemachine.Keys;
import io.baton.statemachine.StateReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's state: a RocksDB database with one column family per keyspace, plus a reserved {@code
 * baton.meta} column family holding the store format marker and the applied index.
 *
 * <p>State changes go through an {@link ApplyBatch}, which commits its writes together with the
 * (term, index) of the last log entry they reflect in one atomic RocksDB write. After a crash the
 * store therefore always holds the state as of exactly {@link #applied()}, and replaying the Raft
 * log from the next index restores the rest. For the same reason writes are not synced: the Raft
 * log is the durable record, the RocksDB WAL only spares a replay after a process crash.
 *
 * <p>Snapshots are RocksDB checkpoints ({@link #checkpoint}), hard links of the immutable SST files
 * plus a {@link SnapshotManifest} that lets a receiving replica verify them before {@link #restore}
 * swaps them in as its live directory.
 *
 * <p>Thread safety: all methods are thread-safe. {@link #reader()} may be used concurrently with a
 * batch being committed on another thread; an {@link ApplyBatch} itself is for one thread. {@link
 * #close()} waits for running operations to finish; any use afterwards throws {@link
 * IllegalStateException}.
 */
public final class RocksDbStateStore implements AutoCloseable {
  /*
   * This class keeps the lifecycle (open, close, and the lock that keeps the native handles alive
   * under running operations), the applied index and its atomic commit, and the live reader. The
   * other parts of the store have a class each:
   *  - ApplyBatch collects one or more entries' writes for commit, and ConsistentReader reads one
   *    point in time (both use the store only through its package-private methods);
   *  - StoreDirectory decides, before RocksDB opens it, what the directory holds;
   *  - RocksDbHandles opens the database with Baton's options and frees it in RocksDB's order;
   *  - StoreFormat checks the format marker, or writes it into a new store;
   *  - CheckpointWriter writes checkpoints, with its cache of SST checksums, and
   *    CheckpointRestorer installs one as the live directory;
   *  - StateDigest computes the digest that replicas compare; RangeScan visits key ranges.
   */

  /** The reserved column family holding Baton's own metadata. */
  static final String META_KEYSPACE = "baton.meta";

  /** Keyspace names with this prefix are reserved for Baton. */
  static final String RESERVED_PREFIX = "baton.";

  static final byte[] APPLIED_KEY = Keys.utf8("applied");

  private static final Logger log = LoggerFactory.getLogger(RocksDbStateStore.class);

  private final Path dir;
  private final RocksDbHandles handles;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final ColumnFamilyHandle meta;
  // Declared keyspaces plus default, sorted by name: the digest depends on this order.
  private final Map<String, ColumnFamilyHandle> keyspaceHandles;
  private final Set<String> keyspaces;
  private final StateReader liveReader = new LiveReader();

  // Operations hold the read lock so close() (write lock) never frees native handles under them.
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  // Serializes changes of the applied index, and pins it while a checkpoint is cut.
  private final ReentrantLock applyLock = new ReentrantLock();
  private final CheckpointWriter checkpoints;
  private final Set<ConsistentReader> openReaders = ConcurrentHashMap.newKeySet();

  private volatile AppliedIndex applied;
  private volatile boolean closed;

  private RocksDbStateStore(Path dir, RocksDbHandles handles, AppliedIndex applied) {
    this.dir = dir;
    this.handles = handles;
    this.db = handles.db();
    this.writeOptions = handles.writeOptions();
    this.meta = handles.meta();
    this.keyspaceHandles = handles.keyspaces();
    this.keyspaces = Collections.unmodifiableSet(keyspaceHandles.keySet());
    this.applied = applied;
    this.checkpoints = new CheckpointWriter(db, dir, applyLock, () -> this.applied);
  }

  /**
   * Opens the store in {@code dir}, creating it if {@code dir} is absent or empty.
   *
   * <p>The store has the column family {@link StateReader#DEFAULT_KEYSPACE}, one per name in {@code
   * keyspaces} (created if missing, so a keyspace may be added in a later version), and the
   * reserved {@code baton.meta}. Column families that exist on disk but are not declared are
   * opened, because RocksDB requires it, but are not accessible.
   *
   * <p>A non-empty directory is only opened if it is a Baton store: this refuses, rather than
   * silently starting empty over, a directory holding anything else.
   *
   * @param dir the store directory
   * @param keyspaces the state machine's keyspaces besides the default one
   * @throws IllegalArgumentException if a keyspace name is empty or starts with {@code baton.}
   * @throws StorageException naming {@code dir} if it is non-empty and not a Baton store, is
   *     damaged (its {@code CURRENT} file missing or garbled, naming that file; RocksDB's own
   *     errors name theirs), was written by a newer Baton, is locked by another open store, or
   *     cannot be opened
   */
  public static RocksDbStateStore open(Path dir, Set<String> keyspaces) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(keyspaces, "keyspaces");
    for (String ks : keyspaces) {
      validateKeyspaceName(ks);
    }

    StoreDirectory.Contents contents = StoreDirectory.inspect(dir);
    if (contents.empty()) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new StorageException("cannot open state store " + dir + ": " + e, e);
      }
    }
    RocksDbHandles handles = RocksDbHandles.open(dir, contents, keyspaces);
    try {
      StoreFormat.check(dir, handles.db(), handles.meta(), handles.all(), contents.empty());
      AppliedIndex applied = AppliedIndex.fromBytes(handles.db().get(handles.meta(), APPLIED_KEY));
      RocksDbStateStore store = new RocksDbStateStore(dir, handles, applied);
      log.info(
          "{} state store {} (keyspaces {}, applied {})",
          contents.empty() ? "Created" : "Opened",
          dir,
          store.keyspaces,
          applied);
      return store;
    } catch (RocksDBException e) {
      handles.close();
      throw new StorageException("cannot open state store " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      handles.close();
      throw e;
    }
  }

  private static void validateKeyspaceName(String ks) {
    Objects.requireNonNull(ks, "keyspace name");
    if (ks.isEmpty()) {
      throw new IllegalArgumentException("keyspace name must not be empty");
    }
    if (ks.startsWith(RESERVED_PREFIX)) {
      throw new IllegalArgumentException(
          "keyspace name '"
              + ks
              + "' is reserved: names starting with '"
              + RESERVED_PREFIX
              + "' belong to Baton");
    }
  }

  /** The store directory. */
  public Path dir() {
    return dir;
  }

  /**
   * The accessible keyspaces: {@link StateReader#DEFAULT_KEYSPACE} and the declared ones, sorted by
   * name.
   */
  public Set<String> keyspaces() {
    ensureOpen();
    return keyspaces;
  }

  /**
   * The (term, index) of the last log entry reflected in the store; {@link AppliedIndex#ZERO} if
   * none.
   */
  public AppliedIndex applied() {
    ensureOpen();
    return applied;
  }

  /**
   * Reads every SST file of the store and checks its block checksums. RocksDB checks a block only
   * when it reads it, so a file damaged on disk would otherwise be found whenever that block is
   * next needed, by a read, a compaction or an apply. Reads the whole store sequentially.
   *
   * @throws StorageException if a file is damaged; the message names it and the offset
   */
  public void verifyChecksums() {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      ensureOpen();
      db.verifyChecksum();
    } catch (RocksDBException e) {
      throw new StorageException("state store " + dir + " is damaged: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A reader over the live state, valid until the store is closed. Thread-safe, and usable while a
   * batch commits on another thread. Each call sees the latest committed state; a sequence of calls
   * is not isolated from commits in between (use {@link #openConsistentReader()} for that). Its
   * {@link StateReader#appliedIndex()} is {@code applied().index()}.
   */
  public StateReader reader() {
    ensureOpen();
    return liveReader;
  }

  /**
   * A reader over a point-in-time view of the state, isolated from later commits, whose {@link
   * StateReader#appliedIndex()} is exactly the index that view reflects. It pins a RocksDB snapshot
   * and must be closed; closing the store releases it too. Thread-safe for concurrent reads; close
   * it only after those have returned.
   */
  public ConsistentReader openConsistentReader() {
    return call(
        "open reader",
        () -> {
          ConsistentReader r = new ConsistentReader(this);
          openReaders.add(r);
          return r;
        });
  }

  /** A new, empty batch over this store. Close it, whether or not it is committed. */
  public ApplyBatch newBatch() {
    return call("create batch", () -> new ApplyBatch(this));
  }

  /**
   * Records that entries up to {@code (term, index)} are applied, without changing any state: for
   * log entries that carry no command.
   *
   * @throws IllegalStateException if {@code index} is below the current applied index
   * @throws StorageException if the write fails
   */
  public void setApplied(long term, long index) {
    AppliedIndex next = new AppliedIndex(term, index);
    call(
        "set applied index",
        () -> {
          applyLock.lock();
          try {
            AppliedIndex current = applied;
            if (index < current.index()) {
              throw new IllegalStateException(
                  "cannot set applied index to "
                      + index
                      + ": the store already applied index "
                      + current.index()
                      + " in "
                      + dir);
            }
            db.put(meta, writeOptions, APPLIED_KEY, next.toBytes());
            applied = next;
          } finally {
            applyLock.unlock();
          }
          return null;
        });
  }

  /**
   * Takes a snapshot: a RocksDB checkpoint of the current state, with a {@link SnapshotManifest},
   * in {@code snapshotRoot/}{@link SnapshotCatalog#dirName dirName}{@code (applied())}.
   *
   * <p>The checkpoint is built in a sibling {@code .tmp} directory and renamed into place once its
   * manifest is written and synced, so the final directory is either absent or complete. If it
   * already exists with a readable manifest for the same position, that manifest is returned and
   * nothing is written. Commits wait only while RocksDB cuts the checkpoint, not while its files
   * are checksummed; SST files already checksummed by an earlier snapshot of this store are not
   * read again.
   *
   * @return the manifest of the checkpoint
   * @throws StorageException on an I/O or RocksDB error
   */
  public SnapshotManifest checkpoint(Path snapshotRoot) {
    Objects.requireNonNull(snapshotRoot, "snapshotRoot");
    return call("checkpoint", () -> checkpoints.write(snapshotRoot));
  }

  /**
   * Replaces the store directory {@code liveDir} with the checkpoint in {@code checkpointDir}.
   *
   * <p>The checkpoint is verified against its manifest first; if that fails nothing is touched. Its
   * files (except the manifest and anything it does not list) are then hard-linked, or copied where
   * linking fails, into {@code <liveDir>.restoring}, synced, and that directory is renamed to
   * {@code liveDir} after the old one is deleted. A {@code .restoring} directory left by an
   * interrupted restore is deleted first. No store may be open on {@code liveDir}.
   *
   * @throws CorruptSnapshotException if the checkpoint fails verification; {@code liveDir} is then
   *     untouched
   * @throws StorageException on an I/O error
   */
  public static void restore(Path checkpointDir, Path liveDir) {
    CheckpointRestorer.restore(checkpointDir, liveDir);
  }

  /**
   * A SHA-256 digest of the state: the accessible keyspaces in name order, each as its name
   * followed by its entries in key order. Baton's metadata, including the applied index, is
   * excluded, and so is the physical layout: two replicas holding the same data have the same
   * digest whatever their compaction state. Reads a consistent view, in time proportional to the
   * state's size.
   */
  public byte[] digest() {
    return call(
        "digest",
        () -> {
          Snapshot snapshot = db.getSnapshot();
          try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
            return StateDigest.compute(db, keyspaceHandles, ro);
          } finally {
            db.releaseSnapshot(snapshot);
          }
        });
  }

  /**
   * A value Baton keeps beside the state under {@code name} (written with {@link
   * ApplyBatch#putMetadata}), as of the last commit. Metadata is not part of the {@link #digest()}
   * and not visible to the application's keyspaces; it travels with checkpoints.
   *
   * @throws StorageException if RocksDB fails
   */
  public Optional<byte[]> metadata(String name) {
    byte[] key = metadataKey(name);
    return call("metadata", () -> Optional.ofNullable(db.get(meta, key)));
  }

  static byte[] metadataKey(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("metadata name is empty");
    }
    // A prefix keeps named metadata apart from the format marker and the applied index.
    return Keys.utf8("x." + name);
  }

  /** {@link #digest()} as lowercase hexadecimal. */
  public String digestHex() {
    return HexFormat.of().formatHex(digest());
  }

  /**
   * An estimate of the store's size: SST files plus memtables, over all column families.
   *
   * @throws StorageException if RocksDB cannot report it
   */
  public long approximateSizeBytes() {
    return call(
        "size estimate",
        () -> {
          long total = 0;
          for (ColumnFamilyHandle h : handles.all()) {
            total += db.getLongProperty(h, "rocksdb.total-sst-files-size");
            total += db.getLongProperty(h, "rocksdb.cur-size-all-mem-tables");
          }
          return total;
        });
  }

  /**
   * Closes the store: releases open {@link ConsistentReader}s, syncs the WAL and frees RocksDB's
   * native resources. Waits for running operations; idempotent.
   */
  @Override
  public void close() {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (ConsistentReader r : openReaders) {
        r.release();
      }
      openReaders.clear();
      try {
        // Writes are not synced one by one; a clean shutdown should still survive a power loss.
        db.syncWal();
      } catch (RocksDBException e) {
        log.warn("Cannot sync the WAL of {} on close: {}", dir, e.getMessage());
      }
      handles.close();
      log.info("Closed state store {}", dir);
    } finally {
      lock.unlock();
    }
  }

  void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("store closed: " + dir);
    }
  }

  @FunctionalInterface
  interface StoreCall<T> {
    T call() throws RocksDBException, IOException;
  }

  /** Runs {@code body} with the store held open, translating RocksDB and I/O failures. */
  <T> T call(String what, StoreCall<T> body) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      ensureOpen();
      return body.call();
    } catch (RocksDBException | IOException e) {
      throw new StorageException(what + " failed in state store " + dir + ": " + e, e);
    } finally {
      lock.unlock();
    }
  }

  ColumnFamilyHandle handle(String keyspace) {
    Objects.requireNonNull(keyspace, "keyspace");
    ColumnFamilyHandle h = keyspaceHandles.get(keyspace);
    if (h == null) {
      throw new IllegalArgumentException(
          "unknown keyspace '" + keyspace + "'; declared: " + keyspaceHandles.keySet());
    }
    return h;
  }

  /** The reader over the live database returned by {@link #reader()}. */
  private final class LiveReader implements StateReader {
    @Override
    public byte[] get(String keyspace, byte[] key) {
      Objects.requireNonNull(key, "key");
      return call("get", () -> db.get(handle(keyspace), key));
    }

    @Override
    public void scan(
        String keyspace, byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor) {
      call(
          "scan",
          () -> {
            RangeScan.visit(db, handle(keyspace), null, null, fromInclusive, toExclusive, visitor);
            return null;
          });
    }

    @Override
    public long appliedIndex() {
      return applied().index();
    }

    @Override
    public String toString() {
      return "StateReader{" + dir + "}";
    }
  }

  RocksDB db() {
    return db;
  }

  ColumnFamilyHandle metaHandle() {
    return meta;
  }

  Map<String, ColumnFamilyHandle> keyspaceHandles() {
    return keyspaceHandles;
  }

  /** Releases {@code reader} and forgets it, unless the store closed (and released it) already. */
  void closeReader(ConsistentReader reader) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (!closed) {
        openReaders.remove(reader);
        reader.release();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes {@code batch} with the applied position {@code next} in one atomic RocksDB write, under
   * the apply lock; on failure the batch is rolled back to how it was. Called by {@link
   * ApplyBatch#commit} with the store held open.
   */
  void commit(WriteBatchWithIndex batch, AppliedIndex next) throws RocksDBException {
    applyLock.lock();
    try {
      AppliedIndex current = applied;
      if (next.index() <= current.index()) {
        throw new IllegalStateException(
            "cannot commit batch at index "
                + next.index()
                + ": the store already applied index "
                + current.index()
                + " in "
                + dir);
      }
      batch.setSavePoint();
      batch.put(meta, APPLIED_KEY, next.toBytes());
      try {
        db.write(writeOptions, batch);
      } catch (RocksDBException e) {
        try {
          batch.rollbackToSavePoint();
        } catch (RocksDBException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
      applied = next;
    } finally {
      applyLock.unlock();
    }
  }
}
