package io.baton.internal.ratis;

import io.baton.storage.AppliedIndex;
import io.baton.storage.RocksDbStateStore;
import io.baton.storage.SnapshotCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Ratis asks the state machine's storage for the latest snapshot (to resume after it, and to ship
 * its files to a follower that lags behind the purged log) and to clean up old ones. Snapshots are
 * RocksDB checkpoints in sm/ckpt_<term>_<index>/ with a manifest (SnapshotCatalog); Ratis sees each
 * as the list of its files, which it sends chunked and MD5-checked per file.
 */
/** The state machine's snapshots as Ratis sees them: taking one, the latest one, retention. */
final class SnapshotStorage implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStorage.class);

  private final int retainedSnapshots;
  private volatile SnapshotCatalog catalog;
  private volatile SnapshotInfo latest;
  private final AtomicLong taken = new AtomicLong();

  SnapshotStorage(int retainedSnapshots) {
    this.retainedSnapshots = retainedSnapshots;
  }

  /** Finds the snapshots under the state machine directory of {@code raftStorage}. */
  void open(RaftStorage raftStorage) {
    catalog = new SnapshotCatalog(raftStorage.getStorageDir().getStateMachineDir().toPath());
  }

  /** Nothing to do: the adapter opens the catalog itself, before it opens the store. */
  @Override
  public void init(RaftStorage raftStorage) {}

  SnapshotCatalog catalog() {
    return catalog;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    return latest;
  }

  /** The latest snapshot's log index, or -1 if there is none. */
  long latestIndex() {
    SnapshotInfo s = latest;
    return s == null ? -1 : s.getIndex();
  }

  /** Makes {@code ref} the latest snapshot. */
  void setLatest(Optional<SnapshotCatalog.SnapshotRef> ref) {
    latest = ref.map(SnapshotStorage::toSnapshotInfo).orElse(null);
  }

  /*
   * Runs on Ratis's apply thread with applies stopped. The store's applied marker is first moved to
   * Ratis's applied index (configuration and leader entries advance it without touching the store),
   * then a RocksDB checkpoint of hard links is taken into sm/ with a manifest of sizes and CRC32C
   * checksums.
   */
  /**
   * Takes a snapshot of {@code store} at Ratis's applied position {@code applied}, unless the
   * latest one is already there or the store is still replaying entries it holds.
   *
   * @return the log index the latest snapshot covers, -1 if there is none
   */
  long take(RocksDbStateStore store, TermIndex applied) throws IOException {
    long latestIndex = latestIndex();
    if (store == null || applied.getIndex() <= 0 || latestIndex >= applied.getIndex()) {
      return latestIndex;
    }
    AppliedIndex storeApplied = store.applied();
    if (storeApplied.index() > applied.getIndex()) {
      // Still replaying entries the store already holds: a checkpoint now would be labelled with
      // an index older than its content. The next trigger after the replay will take it.
      return latestIndex;
    }
    long started = System.nanoTime();
    if (storeApplied.index() < applied.getIndex()) {
      store.setApplied(applied.getTerm(), applied.getIndex());
    }
    store.checkpoint(catalog.root());
    SnapshotCatalog.SnapshotRef ref =
        catalog
            .latest()
            .filter(r -> r.index() == applied.getIndex())
            .orElseThrow(
                () -> new IOException("checkpoint at index " + applied.getIndex() + " not found"));
    setLatest(Optional.of(ref));
    taken.incrementAndGet();
    LOG.info(
        "Took snapshot {} in {} ms",
        ref.dir().getFileName(),
        (System.nanoTime() - started) / 1_000_000);
    return applied.getIndex();
  }

  /** How many snapshots {@link #take} took. */
  long taken() {
    return taken.get();
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) {
    SnapshotCatalog c = catalog;
    if (c != null) {
      try {
        c.retain(retainedSnapshots);
      } catch (RuntimeException e) {
        // Old snapshots left behind cost disk, not correctness: retried after the next one.
        LOG.warn("Could not delete old snapshots in {}: {}", c.root(), e.toString());
      }
    }
  }

  private static SnapshotInfo toSnapshotInfo(SnapshotCatalog.SnapshotRef ref) {
    List<FileInfo> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(ref.dir())) {
      s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().endsWith(".md5"))
          .sorted()
          .forEach(p -> files.add(new FileInfo(p.toAbsolutePath(), null)));
    } catch (IOException e) {
      throw new IllegalStateException("cannot list snapshot " + ref.dir() + ": " + e, e);
    }
    return new FileListSnapshotInfo(files, TermIndex.valueOf(ref.term(), ref.index()));
  }
}
