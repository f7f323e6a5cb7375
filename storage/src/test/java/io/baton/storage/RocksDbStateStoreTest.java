package io.baton.storage;

import static io.baton.statemachine.Keys.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import io.baton.statemachine.StateReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

final class RocksDbStateStoreTest {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("state");
  }

  private static List<String> scanAll(StateReader reader, String ks, byte[] from, byte[] to) {
    List<String> out = new ArrayList<>();
    reader.scan(
        ks,
        from,
        to,
        (k, v) -> {
          out.add(utf8(k) + "=" + utf8(v));
          return true;
        });
    return out;
  }

  @Test
  void open_newDirectory_startsEmptyAtZero() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("orders"))) {
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
      assertThat(store.reader().appliedIndex()).isZero();
      assertThat(store.reader().get(utf8("k"))).isNull();
      assertThat(store.keyspaces()).containsExactly("default", "orders");
      assertThat(store.dir()).isEqualTo(dir());
    }
  }

  @Test
  void commit_batch_writesDataAndAppliedIndexTogether() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
        batch.put(utf8("b"), utf8("2"));
        assertThat(store.reader().get(utf8("a"))).isNull();
        assertThat(batch.size()).isEqualTo(2);

        batch.commit(3, 7);
      }
      assertThat(store.applied()).isEqualTo(new AppliedIndex(3, 7));
      assertThat(store.reader().appliedIndex()).isEqualTo(7);
      assertThat(store.reader().get(utf8("a"))).isEqualTo(utf8("1"));
      assertThat(store.reader().get(utf8("b"))).isEqualTo(utf8("2"));
    }
  }

  @Test
  void close_batchWithoutCommit_leavesNothing() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
      }
      assertThat(store.reader().get(utf8("a"))).isNull();
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.reader().get(utf8("a"))).isNull();
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
    }
  }

  @Test
  void open_afterCommitAndClose_keepsDataAndAppliedIndex() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("ks"))) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
        batch.put("ks", utf8("x"), utf8("y"));
        batch.commit(2, 5);
      }
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("ks"))) {
      assertThat(store.applied()).isEqualTo(new AppliedIndex(2, 5));
      assertThat(store.reader().get(utf8("a"))).isEqualTo(utf8("1"));
      assertThat(store.reader().get("ks", utf8("x"))).isEqualTo(utf8("y"));
    }
  }

  @Test
  void batchReads_uncommittedWrites_seeOwnPutsAndDeletes() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
        batch.put(utf8("b"), utf8("2"));
        batch.put(utf8("c"), utf8("3"));
        batch.commit(1, 1);
      }
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("b"), utf8("20"));
        batch.put(utf8("b"), utf8("21"));
        batch.delete(utf8("c"));
        batch.put(utf8("d"), utf8("4"));

        assertThat(batch.get(utf8("a"))).isEqualTo(utf8("1"));
        assertThat(batch.get(utf8("b"))).isEqualTo(utf8("21"));
        assertThat(batch.get(utf8("c"))).isNull();
        assertThat(batch.get(utf8("d"))).isEqualTo(utf8("4"));
        assertThat(scanAll(batch, "default", null, null)).containsExactly("a=1", "b=21", "d=4");
        assertThat(scanAll(batch, "default", utf8("b"), utf8("d"))).containsExactly("b=21");
        assertThat(batch.size()).isEqualTo(4);
        assertThat(batch.appliedIndex()).isEqualTo(1);

        // The live reader still sees only committed state.
        assertThat(scanAll(store.reader(), "default", null, null))
            .containsExactly("a=1", "b=2", "c=3");
      }
    }
  }

  @Test
  void commit_nonIncreasingIndex_isRefusedAndChangesNothing() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
        batch.commit(1, 10);
      }
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("2"));

        assertThatThrownBy(() -> batch.commit(1, 10))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("10");
        assertThatThrownBy(() -> batch.commit(2, 9))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("index 9")
            .hasMessageContaining("index 10");

        assertThat(store.reader().get(utf8("a"))).isEqualTo(utf8("1"));
        assertThat(store.applied()).isEqualTo(new AppliedIndex(1, 10));
        // The refused batch is unchanged and can still commit at a later index.
        assertThat(batch.size()).isEqualTo(1);
        batch.commit(2, 11);
      }
      assertThat(store.reader().get(utf8("a"))).isEqualTo(utf8("2"));
      assertThat(store.applied()).isEqualTo(new AppliedIndex(2, 11));
    }
  }

  @Test
  void batch_afterCommitOrClose_isUnusable() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      ApplyBatch committed = store.newBatch();
      committed.put(utf8("a"), utf8("1"));
      committed.commit(1, 1);
      assertThatThrownBy(() -> committed.put(utf8("b"), utf8("2")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("committed");
      assertThatThrownBy(() -> committed.commit(1, 2)).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> committed.get(utf8("a"))).isInstanceOf(IllegalStateException.class);
      committed.close();

      ApplyBatch discarded = store.newBatch();
      discarded.close();
      discarded.close();
      assertThatThrownBy(() -> discarded.get(utf8("a")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
      assertThat(store.applied().index()).isEqualTo(1);
    }
  }

  @Test
  void commit_emptyBatch_onlyAdvancesAppliedIndex() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      String before = store.digestHex();
      try (ApplyBatch batch = store.newBatch()) {
        batch.commit(4, 2);
      }
      assertThat(store.applied()).isEqualTo(new AppliedIndex(4, 2));
      assertThat(store.digestHex()).isEqualTo(before);
    }
  }

  @Test
  void setApplied_movesMarkerOnlyForward() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      store.setApplied(1, 5);
      store.setApplied(2, 5);
      assertThat(store.applied()).isEqualTo(new AppliedIndex(2, 5));

      assertThatThrownBy(() -> store.setApplied(2, 4))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("4")
          .hasMessageContaining("5");
      assertThat(store.applied()).isEqualTo(new AppliedIndex(2, 5));
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.applied()).isEqualTo(new AppliedIndex(2, 5));
    }
  }

  @Test
  void keyspaces_declared_areSeparateFromDefault() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("orders"))) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("orders", utf8("k"), utf8("order"));
        batch.put(utf8("k"), utf8("default"));
        batch.commit(1, 1);
      }
      assertThat(store.reader().get("orders", utf8("k"))).isEqualTo(utf8("order"));
      assertThat(store.reader().get(utf8("k"))).isEqualTo(utf8("default"));
    }
  }

  @Test
  void keyspaces_undeclared_areRejected() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("orders"))) {
      assertThatThrownBy(() -> store.reader().get("users", utf8("k")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("unknown keyspace 'users'; declared: [default, orders]");
      assertThatThrownBy(() -> store.reader().get(RocksDbStateStore.META_KEYSPACE, utf8("k")))
          .isInstanceOf(IllegalArgumentException.class);
      try (ApplyBatch batch = store.newBatch()) {
        assertThatThrownBy(() -> batch.put("users", utf8("k"), utf8("v")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("'users'");
        assertThat(batch.size()).isZero();
      }
    }
  }

  @Test
  void open_reservedKeyspaceName_isRefused() {
    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of("baton.mine")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baton.mine")
        .hasMessageContaining("reserved");
    assertThat(dir()).doesNotExist();
  }

  @Test
  void open_withAddedKeyspace_keepsDataAndCreatesIt() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("a"))) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("a", utf8("k"), utf8("v"));
        batch.commit(1, 1);
      }
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("a", "b"))) {
      assertThat(store.keyspaces()).containsExactly("a", "b", "default");
      assertThat(store.reader().get("a", utf8("k"))).isEqualTo(utf8("v"));
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("b", utf8("k"), utf8("w"));
        batch.commit(1, 2);
      }
      assertThat(store.reader().get("b", utf8("k"))).isEqualTo(utf8("w"));
    }
  }

  @Test
  void open_withoutAPreviouslyDeclaredKeyspace_keepsItButHidesIt() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("a", "b"))) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("b", utf8("k"), utf8("v"));
        batch.commit(1, 1);
      }
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("a"))) {
      assertThatThrownBy(() -> store.reader().get("b", utf8("k")))
          .isInstanceOf(IllegalArgumentException.class);
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("a", "b"))) {
      assertThat(store.reader().get("b", utf8("k"))).isEqualTo(utf8("v"));
    }
  }

  @Test
  void scan_bounds_areInclusiveExclusiveAndNullIsOpen() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        for (String k : List.of("a", "b", "c", "d")) {
          batch.put(utf8(k), utf8(k.toUpperCase(java.util.Locale.ROOT)));
        }
        batch.commit(1, 1);
      }
      StateReader r = store.reader();
      assertThat(scanAll(r, "default", utf8("b"), utf8("d"))).containsExactly("b=B", "c=C");
      assertThat(scanAll(r, "default", null, utf8("c"))).containsExactly("a=A", "b=B");
      assertThat(scanAll(r, "default", utf8("c"), null)).containsExactly("c=C", "d=D");
      assertThat(scanAll(r, "default", null, null)).containsExactly("a=A", "b=B", "c=C", "d=D");
      assertThat(scanAll(r, "default", utf8("bb"), utf8("bz"))).isEmpty();
      assertThat(scanAll(r, "default", utf8("d"), utf8("a"))).isEmpty();
    }
  }

  @Test
  void scan_unsignedOrderAndPrefix_matchKeysContract() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("ks"))) {
      byte[] high = {'p', (byte) 0xFF};
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("ks", utf8("o"), utf8("before"));
        batch.put("ks", utf8("p1"), utf8("one"));
        batch.put("ks", high, utf8("high"));
        batch.put("ks", utf8("p2"), utf8("two"));
        batch.put("ks", utf8("q"), utf8("after"));
        batch.commit(1, 1);
      }
      List<String> values = new ArrayList<>();
      store
          .reader()
          .scanPrefix(
              "ks",
              utf8("p"),
              (k, v) -> {
                values.add(utf8(v));
                return true;
              });
      // 0xFF sorts after ASCII: keys compare as unsigned bytes.
      assertThat(values).containsExactly("one", "two", "high");
    }
  }

  @Test
  void scan_visitorReturningFalse_stopsEarly() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        for (int i = 0; i < 10; i++) {
          batch.put(utf8("k" + i), utf8("v" + i));
        }
        batch.commit(1, 1);
      }
      List<String> seen = new ArrayList<>();
      store
          .reader()
          .scan(
              "default",
              null,
              null,
              (k, v) -> {
                seen.add(utf8(k));
                return seen.size() < 3;
              });
      assertThat(seen).containsExactly("k0", "k1", "k2");
    }
  }

  @Test
  void scan_visitorArrays_areCopies() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("k"), utf8("v"));
        batch.commit(1, 1);
      }
      store
          .reader()
          .scan(
              "default",
              null,
              null,
              (k, v) -> {
                v[0] = 'X';
                return true;
              });
      assertThat(store.reader().get(utf8("k"))).isEqualTo(utf8("v"));
    }
  }

  @Test
  void open_nonEmptyDirectoryWithForeignFiles_isRefusedAndUntouched() throws Exception {
    Files.createDirectories(dir());
    Files.writeString(dir().resolve("notes.txt"), "precious");

    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir().toString())
        .hasMessageContaining("not a RocksDB database");
    try (var files = Files.list(dir())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
    }
  }

  @Test
  void open_regularFile_isRefused() throws Exception {
    Files.writeString(dir(), "not a directory");
    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir().toString());
  }

  @Test
  void open_foreignRocksDb_isRefusedAndNotModified() throws Exception {
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB foreign = RocksDB.open(options, dir().toString())) {
      foreign.put(utf8("theirs"), utf8("data"));
    }

    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir().toString())
        .hasMessageContaining("not a Baton state store");
    try (Options options = new Options()) {
      assertThat(RocksDB.listColumnFamilies(options, dir().toString()))
          .extracting(RocksDbStateStoreTest::utf8String)
          .containsExactly("default");
    }
  }

  @Test
  void open_storeWithNewerFormat_isRefused() throws Exception {
    RocksDbStateStore.open(dir(), Set.of()).close();
    writeMeta(dir(), StoreFormat.KEY, Keys.longBytes(2));

    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir().toString())
        .hasMessageContaining("unknown store format 2");

    // The refused open released the database: it can be repaired and opened again.
    writeMeta(dir(), StoreFormat.KEY, Keys.longBytes(1));
    RocksDbStateStore.open(dir(), Set.of()).close();
  }

  @Test
  void open_metaWithoutFormatMarkerButData_isRefused() throws Exception {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("k"), utf8("v"));
        batch.commit(1, 1);
      }
    }
    deleteMeta(dir(), StoreFormat.KEY);

    assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir().toString())
        .hasMessageContaining("no Baton format marker");
  }

  @Test
  void open_interruptedCreationWithoutData_completesIt() throws Exception {
    RocksDbStateStore.open(dir(), Set.of()).close();
    deleteMeta(dir(), StoreFormat.KEY);

    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
    }
  }

  @Test
  void open_sameDirectoryTwice_isRefusedWhileOpen() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThatThrownBy(() -> RocksDbStateStore.open(dir(), Set.of()))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(dir().toString());
      assertThat(store.applied()).isEqualTo(AppliedIndex.ZERO);
    }
  }

  @Test
  void close_thenUse_throwsNamingTheDirectory() {
    RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of());
    StateReader reader = store.reader();
    ApplyBatch batch = store.newBatch();
    store.close();
    store.close();

    String closed = "store closed: " + dir();
    assertThatThrownBy(store::applied).hasMessage(closed);
    assertThatThrownBy(store::reader).hasMessage(closed);
    assertThatThrownBy(store::newBatch).hasMessage(closed);
    assertThatThrownBy(store::digest).hasMessage(closed);
    assertThatThrownBy(() -> store.checkpoint(tmp.resolve("snap"))).hasMessage(closed);
    assertThatThrownBy(() -> reader.get(utf8("k")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(closed);
    assertThatThrownBy(() -> batch.put(utf8("k"), utf8("v")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(closed);
    batch.close();
  }

  @Test
  void consistentReader_doesNotSeeLaterCommits() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("k"), utf8("old"));
        batch.commit(1, 1);
      }
      try (ConsistentReader view = store.openConsistentReader()) {
        try (ApplyBatch batch = store.newBatch()) {
          batch.put(utf8("k"), utf8("new"));
          batch.put(utf8("k2"), utf8("x"));
          batch.commit(1, 2);
        }
        assertThat(view.appliedIndex()).isEqualTo(1);
        assertThat(view.get(utf8("k"))).isEqualTo(utf8("old"));
        assertThat(scanAll(view, "default", null, null)).containsExactly("k=old");
        assertThat(store.reader().get(utf8("k"))).isEqualTo(utf8("new"));
        assertThat(store.reader().appliedIndex()).isEqualTo(2);
      }
    }
  }

  @Test
  void consistentReader_leftOpen_isReleasedByStoreClose() {
    RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of());
    ConsistentReader view = store.openConsistentReader();
    store.close();
    assertThatThrownBy(() -> view.get(utf8("k"))).isInstanceOf(IllegalStateException.class);
    view.close();
    // The store reopens cleanly: nothing was left pinned or locked.
    RocksDbStateStore.open(dir(), Set.of()).close();
  }

  @Test
  void reader_concurrentWithCommits_alwaysSeesWholeBatches() throws Exception {
    int commits = 300;
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      ExecutorService writer = Executors.newSingleThreadExecutor();
      try {
        // Each batch sets both keys to the same value; a consistent view must never see them
        // differ.
        Future<?> done =
            writer.submit(
                () -> {
                  for (int i = 1; i <= commits; i++) {
                    try (ApplyBatch batch = store.newBatch()) {
                      batch.put(utf8("x"), Keys.longBytes(i));
                      batch.put(utf8("y"), Keys.longBytes(i));
                      batch.commit(1, i);
                    }
                  }
                });
        long lastSeen = 0;
        while (!done.isDone()) {
          try (ConsistentReader view = store.openConsistentReader()) {
            long x = Keys.toLong(view.get(utf8("x")));
            long y = Keys.toLong(view.get(utf8("y")));
            assertThat(x).isEqualTo(y).isEqualTo(view.appliedIndex());
            assertThat(x).isGreaterThanOrEqualTo(lastSeen);
            lastSeen = x;
          }
          // The live reader is safe to use concurrently, and never goes backwards.
          long live = Keys.toLong(store.reader().get(utf8("x")));
          assertThat(live).isGreaterThanOrEqualTo(lastSeen);
        }
        done.get(30, TimeUnit.SECONDS);
        assertThat(store.applied().index()).isEqualTo(commits);
      } finally {
        writer.shutdownNow();
      }
    }
  }

  @Test
  void approximateSizeBytes_growsWithData() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      long empty = store.approximateSizeBytes();
      try (ApplyBatch batch = store.newBatch()) {
        for (int i = 0; i < 1000; i++) {
          batch.put(utf8("key" + i), new byte[100]);
        }
        batch.commit(1, 1);
      }
      assertThat(store.approximateSizeBytes()).isGreaterThan(empty + 50_000);
    }
  }

  private static String utf8String(byte[] bytes) {
    return utf8(bytes);
  }

  /** Edits the reserved column family behind the store's back, as a damaged store would be. */
  private static void writeMeta(Path dir, byte[] key, byte[] value) throws Exception {
    try (RawRocksDb raw = new RawRocksDb(dir, RocksDbStateStore.META_KEYSPACE)) {
      raw.db().put(raw.cf(RocksDbStateStore.META_KEYSPACE), key, value);
    }
  }

  private static void deleteMeta(Path dir, byte[] key) throws Exception {
    try (RawRocksDb raw = new RawRocksDb(dir, RocksDbStateStore.META_KEYSPACE)) {
      raw.db().delete(raw.cf(RocksDbStateStore.META_KEYSPACE), key);
    }
  }

  @Test
  void metadata_committedWithBatch_survivesReopenAndStaysOutOfDigest() {
    String digestBefore;
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.metadata("settings")).isEmpty();
      try (ApplyBatch batch = store.newBatch()) {
        batch.put(utf8("a"), utf8("1"));
        batch.commit(1, 1);
      }
      digestBefore = store.digestHex();
      try (ApplyBatch batch = store.newBatch()) {
        batch.putMetadata("settings", utf8("drained=n2"));
        assertThat(store.metadata("settings")).isEmpty();
        batch.commit(1, 2);
      }
      assertThat(store.metadata("settings"))
          .hasValueSatisfying(v -> assertThat(utf8(v)).isEqualTo("drained=n2"));
      assertThat(store.digestHex()).isEqualTo(digestBefore);
      assertThatThrownBy(() -> store.metadata("")).isInstanceOf(IllegalArgumentException.class);
    }
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of())) {
      assertThat(store.metadata("settings").map(Keys::utf8)).contains("drained=n2");
      assertThat(store.applied().index()).isEqualTo(2);
    }
  }

  @Test
  void consistentReaderDigest_isTheStateAtItsIndex_notLaterCommits() {
    try (RocksDbStateStore store = RocksDbStateStore.open(dir(), Set.of("orders"))) {
      try (ApplyBatch batch = store.newBatch()) {
        batch.put("orders", utf8("o1"), utf8("x"));
        batch.commit(1, 1);
      }
      String atOne = store.digestHex();
      try (ConsistentReader reader = store.openConsistentReader()) {
        try (ApplyBatch batch = store.newBatch()) {
          batch.put("orders", utf8("o2"), utf8("y"));
          batch.commit(1, 2);
        }
        assertThat(java.util.HexFormat.of().formatHex(reader.digest())).isEqualTo(atOne);
        assertThat(reader.appliedIndex()).isEqualTo(1);
      }
      assertThat(store.digestHex()).isNotEqualTo(atOne);
    }
  }
}
