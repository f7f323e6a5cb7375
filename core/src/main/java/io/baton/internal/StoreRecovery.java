package io.baton.internal;

import io.baton.storage.AppliedIndex;
import io.baton.storage.CorruptSnapshotException;
import io.baton.storage.RocksDbStateStore;
import io.baton.storage.SnapshotCatalog;
import io.baton.storage.SnapshotManifest;
import io.baton.storage.StorageException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * What a start may find on disk, and what it does. The node's identity file was checked before
 * this runs; the Raft log is loaded only after. A = the store's applied index, S = the latest
 * complete snapshot's index, L = the first index of the Raft log on disk. Raft purges the log only
 * up to a snapshot it was told about, so normally S >= L - 1.
 *  - A < S: the store lost its unsynced tail (power loss), or db/ is gone. Restore it from the
 *    snapshot, which is verified in full first: a damaged snapshot stops the start, naming the file.
 *  - A >= S: RocksDB checks every block checksum of the store, and the snapshot is verified in
 *    full. A damaged store stops the start, naming the file. This reads the state about twice at
 *    most, less where the snapshot's SST files are still hard links of the store's (one inode,
 *    one page cache).
 *  - A < L - 1: the entries in between are gone from store, snapshots and log alike (db/ and sm/
 *    deleted or damaged). Starting would leave this replica empty, or stuck below its log; refuse.
 *  - the latest snapshot is damaged, or S < L - 1 <= A (its manifest is gone, so an older one or
 *    none is found): the store is intact and at least as far. Replace the snapshot by a new
 *    checkpoint of the store, so that Raft resumes after the store instead of waiting forever
 *    for purged entries, and never ships the damaged snapshot to a follower.
 */
/**
 * Opens a replica's state store at start, checked against its snapshots and the first index of its
 * Raft log, and repairs what can be repaired from the replica's own files (the decision table
 * above). Knows nothing of Raft beyond that index. Not API.
 */
public final class StoreRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

  /** An open store and the latest snapshot, which the store is at or after. */
  public record Recovered(
      RocksDbStateStore store, Optional<SnapshotCatalog.SnapshotRef> snapshot) {}

  private StoreRecovery() {}

  /**
   * Opens the store in {@code dbDir} with {@code keyspaces}, restoring, checking or re-snapshotting
   * it as the decision table says. The caller owns the returned store.
   *
   * @param firstLogIndex the first index of the Raft log on disk, or 0 if it holds none
   * @param logDir where that log is, for messages
   * @throws StorageException naming the damaged file or the missing entries, if the replica cannot
   *     start from its own files; nothing is left open
   */
  public static Recovered open(
      Path dbDir, Set<String> keyspaces, SnapshotCatalog catalog, long firstLogIndex, Path logDir) {
    RocksDbStateStore s = RocksDbStateStore.open(dbDir, keyspaces);
    try {
      Optional<SnapshotCatalog.SnapshotRef> latest = catalog.latest();
      boolean restored = false;
      if (latest.isPresent() && s.applied().index() < latest.get().index()) {
        LOG.warn(
            "State store {} is at index {}, behind the latest snapshot at {}; restoring it from {}",
            dbDir,
            s.applied().index(),
            latest.get().index(),
            latest.get().dir());
        s.close();
        RocksDbStateStore.restore(latest.get().dir(), dbDir);
        s = RocksDbStateStore.open(dbDir, keyspaces);
        restored = true;
      } else {
        s.verifyChecksums();
      }
      AppliedIndex applied = s.applied();
      if (applied.index() < firstLogIndex - 1) {
        throw new StorageException(
            "state store "
                + dbDir
                + " is at log index "
                + applied.index()
                + ", the latest snapshot in "
                + catalog.root()
                + " is "
                + latest.map(r -> "at index " + r.index()).orElse("none")
                + ", and the Raft log in "
                + logDir
                + " starts at index "
                + firstLogIndex
                + ": entries "
                + (applied.index() + 1)
                + " to "
                + (firstLogIndex - 1)
                + " are in none of them; the store or the snapshots were deleted or damaged");
      }
      Optional<String> unusable =
          latest.isEmpty() || restored ? Optional.empty() : damage(latest.get());
      long snapshotIndex = latest.map(SnapshotCatalog.SnapshotRef::index).orElse(-1L);
      if (unusable.isPresent() || snapshotIndex < firstLogIndex - 1) {
        LOG.warn(
            "Replacing snapshot {} by a checkpoint of state store {} at index {}: {}",
            latest.map(r -> r.dir().toString()).orElse("(none)"),
            dbDir,
            applied.index(),
            unusable.orElse("the Raft log was purged up to index " + (firstLogIndex - 1)));
        if (unusable.isPresent()) {
          catalog.delete(latest.get());
        }
        s.checkpoint(catalog.root());
        latest = catalog.latest();
      }
      return new Recovered(s, latest);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** What is wrong with a snapshot, if anything: its manifest, or a file's size or CRC32C. */
  private static Optional<String> damage(SnapshotCatalog.SnapshotRef ref) {
    try {
      SnapshotManifest.read(ref.dir()).verify(ref.dir());
      return Optional.empty();
    } catch (CorruptSnapshotException e) {
      return Optional.of(e.getMessage());
    }
  }
}
