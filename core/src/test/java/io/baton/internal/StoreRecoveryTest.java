package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import io.baton.storage.ApplyBatch;
import io.baton.storage.RocksDbStateStore;
import io.baton.storage.SnapshotCatalog;
import io.baton.storage.StorageException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each row of the start-up decision table of StoreRecovery, on real RocksDB stores. */
final class StoreRecoveryTest {
  @TempDir Path tmp;

  private Path db() {
    return tmp.resolve("db");
  }

  private Path log() {
    return tmp.resolve("log");
  }

  private SnapshotCatalog catalog() {
    return new SnapshotCatalog(tmp.resolve("sm"));
  }

  /** Commits one key per index from {@code from} to {@code to}, in term 1. */
  private static void commit(RocksDbStateStore store, long from, long to) {
    for (long i = from; i <= to; i++) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(Keys.utf8("k" + i), Keys.utf8("v" + i));
        batch.commit(1, i);
      }
    }
  }

  /** A store at {@code applied}, with a snapshot at {@code snapshot} (none if 0). */
  private void storeWithSnapshot(long snapshot, long applied) {
    try (RocksDbStateStore store = RocksDbStateStore.open(db(), Set.of())) {
      commit(store, 1, snapshot);
      if (snapshot > 0) {
        store.checkpoint(catalog().root());
      }
      commit(store, snapshot + 1, applied);
    }
  }

  private StoreRecovery.Recovered open(long firstLogIndex) {
    return open(db(), firstLogIndex);
  }

  private StoreRecovery.Recovered open(Path dbDir, long firstLogIndex) {
    return StoreRecovery.open(dbDir, Set.of(), catalog(), firstLogIndex, log());
  }

  private static Path largest(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  @Test
  void open_emptyDirectoryAndNoLog_opensEmptyWithoutSnapshot() {
    StoreRecovery.Recovered r = open(0);

    try (RocksDbStateStore store = r.store()) {
      assertThat(store.applied().index()).isZero();
      assertThat(r.snapshot()).isEmpty();
    }
  }

  @Test
  void open_storeAtOrAfterIntactSnapshot_opensStoreAndKeepsSnapshot() {
    storeWithSnapshot(10, 25);
    SnapshotCatalog.SnapshotRef before = catalog().latest().orElseThrow();

    StoreRecovery.Recovered r = open(5);

    try (RocksDbStateStore store = r.store()) {
      assertThat(store.applied().index()).isEqualTo(25);
      assertThat(r.snapshot()).contains(before);
      assertThat(catalog().list()).containsExactly(before);
    }
  }

  @Test
  void open_storeBehindSnapshot_isRestoredFromTheSnapshot() throws IOException {
    storeWithSnapshot(10, 10);
    Path older = tmp.resolve("older-db");
    copy(db(), older);
    try (RocksDbStateStore store = RocksDbStateStore.open(db(), Set.of())) {
      commit(store, 11, 20);
      store.checkpoint(catalog().root());
    }
    // The store in older-db lost its tail after index 10; the snapshot is at 20.

    StoreRecovery.Recovered r = open(older, 15);

    try (RocksDbStateStore store = r.store()) {
      assertThat(store.applied().index()).isEqualTo(20);
      assertThat(store.reader().get(Keys.utf8("k20"))).isEqualTo(Keys.utf8("v20"));
      assertThat(r.snapshot().orElseThrow().index()).isEqualTo(20);
    }
  }

  @Test
  void open_storeBehindDamagedSnapshot_isRefusedNamingTheFile() throws IOException {
    storeWithSnapshot(10, 10);
    Path older = tmp.resolve("older-db");
    copy(db(), older);
    try (RocksDbStateStore store = RocksDbStateStore.open(db(), Set.of())) {
      commit(store, 11, 20);
      store.checkpoint(catalog().root());
    }
    Path snapshot = catalog().latest().orElseThrow().dir();
    Path options = firstStartingWith(snapshot, "OPTIONS");
    Files.delete(options);

    assertThatThrownBy(() -> open(older, 15))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(options.getFileName().toString());
    // Nothing was left open: the store can be opened again.
    RocksDbStateStore.open(older, Set.of()).close();
  }

  @Test
  void open_damagedStore_isRefusedNamingTheFile() throws IOException {
    storeWithSnapshot(100, 100);
    Path sst = largest(db(), ".sst");
    flipByte(sst, Files.size(sst) / 4);

    assertThatThrownBy(() -> open(50))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(sst.getFileName().toString());
    RocksDbStateStore.open(db(), Set.of()).close();
  }

  @Test
  void open_entriesMissingBetweenStoreAndLog_isRefusedNamingTheGap() {
    storeWithSnapshot(0, 10);

    assertThatThrownBy(() -> open(20))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is at log index 10")
        .hasMessageContaining("the latest snapshot in " + catalog().root() + " is none")
        .hasMessageContaining("the Raft log in " + log() + " starts at index 20")
        .hasMessageContaining("entries 11 to 19 are in none of them");
    RocksDbStateStore.open(db(), Set.of()).close();
  }

  @Test
  void open_damagedSnapshotBehindIntactStore_isReplacedByACheckpointOfTheStore()
      throws IOException {
    storeWithSnapshot(10, 30);
    SnapshotCatalog.SnapshotRef damaged = catalog().latest().orElseThrow();
    Files.delete(firstStartingWith(damaged.dir(), "OPTIONS"));

    StoreRecovery.Recovered r = open(5);

    try (RocksDbStateStore store = r.store()) {
      assertThat(store.applied().index()).isEqualTo(30);
      assertThat(r.snapshot().orElseThrow().index()).isEqualTo(30);
      assertThat(damaged.dir()).doesNotExist();
      assertThat(catalog().list()).containsExactly(r.snapshot().orElseThrow());
    }
  }

  @Test
  void open_logPurgedPastTheLatestSnapshot_checkpointsTheStore() {
    storeWithSnapshot(10, 30);
    SnapshotCatalog.SnapshotRef older = catalog().latest().orElseThrow();

    StoreRecovery.Recovered r = open(25);

    try (RocksDbStateStore store = r.store()) {
      assertThat(store.applied().index()).isEqualTo(30);
      assertThat(r.snapshot().orElseThrow().index()).isEqualTo(30);
      assertThat(catalog().list()).contains(older, r.snapshot().orElseThrow());
    }
  }

  @Test
  void open_noSnapshotAndLogPurged_checkpointsTheStore() {
    storeWithSnapshot(0, 30);

    StoreRecovery.Recovered r = open(31);

    try (RocksDbStateStore store = r.store()) {
      assertThat(r.snapshot().orElseThrow().index()).isEqualTo(30);
    }
  }

  private static Path firstStartingWith(Path dir, String prefix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().startsWith(prefix))
          .findFirst()
          .orElseThrow();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xFF);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }
}
