package io.baton.storage;

import static io.baton.statemachine.Keys.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CheckpointRestoreTest {
  private static final Set<String> KEYSPACES = Set.of("users", "orders");

  @TempDir Path tmp;

  private Path live() {
    return tmp.resolve("live");
  }

  private Path snapshots() {
    return tmp.resolve("snapshots");
  }

  /** Writes {@code n} entries per keyspace, committing at (term, index). */
  private static void fill(RocksDbStateStore store, String tag, int n, long term, long index) {
    try (ApplyBatch batch = store.newBatch()) {
      for (int i = 0; i < n; i++) {
        batch.put(utf8("k" + i), utf8(tag + i));
        batch.put("users", utf8("u" + i), utf8("user-" + tag + i));
        batch.put("orders", utf8("o" + i), utf8("order-" + tag + i));
      }
      batch.commit(term, index);
    }
  }

  private Path takeCheckpoint() {
    try (RocksDbStateStore store = RocksDbStateStore.open(tmp.resolve("source"), KEYSPACES)) {
      fill(store, "v", 200, 3, 42);
      store.checkpoint(snapshots());
    }
    return snapshots().resolve(SnapshotCatalog.dirName(3, 42));
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Path fileMatching(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(suffix))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no *" + suffix + " in " + dir));
    }
  }

  @Test
  void checkpoint_thenRestoreIntoFreshDir_givesSameDigestAndAppliedIndex() {
    String digest;
    SnapshotManifest manifest;
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      fill(store, "v", 500, 3, 42);
      digest = store.digestHex();
      manifest = store.checkpoint(snapshots());
    }
    Path ckpt = snapshots().resolve("ckpt_3_42");
    assertThat(manifest.term()).isEqualTo(3);
    assertThat(manifest.index()).isEqualTo(42);
    assertThat(manifest.formatVersion()).isEqualTo(SnapshotManifest.FORMAT_VERSION);
    assertThat(manifest.files())
        .extracting(SnapshotManifest.FileEntry::name)
        .contains("CURRENT")
        .anyMatch(n -> n.endsWith(".sst"))
        .doesNotContain(SnapshotManifest.FILE_NAME);
    assertThat(SnapshotManifest.read(ckpt)).isEqualTo(manifest);
    manifest.verify(ckpt);
    assertThat(snapshots().resolve("ckpt_3_42.tmp")).doesNotExist();

    Path restored = tmp.resolve("restored");
    RocksDbStateStore.restore(ckpt, restored);

    assertThat(restored.resolve(SnapshotManifest.FILE_NAME)).doesNotExist();
    assertThat(tmp.resolve("restored.restoring")).doesNotExist();
    try (RocksDbStateStore store = RocksDbStateStore.open(restored, KEYSPACES)) {
      assertThat(store.applied()).isEqualTo(new AppliedIndex(3, 42));
      assertThat(store.digestHex()).isEqualTo(digest);
      assertThat(store.reader().get("orders", utf8("o7"))).isEqualTo(utf8("order-v7"));
    }
  }

  @Test
  void restore_overExistingLiveDir_replacesItsState() throws IOException {
    Path ckpt = takeCheckpoint();
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      fill(store, "stale", 10, 9, 99);
      store.reader();
    }
    Path leftover = tmp.resolve("live.restoring");
    Files.createDirectories(leftover);
    Files.writeString(leftover.resolve("junk"), "from an interrupted restore");

    RocksDbStateStore.restore(ckpt, live());

    assertThat(leftover).doesNotExist();
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      assertThat(store.applied()).isEqualTo(new AppliedIndex(3, 42));
      assertThat(store.reader().get(utf8("k3"))).isEqualTo(utf8("v3"));
      assertThat(store.reader().get(utf8("k150"))).isEqualTo(utf8("v150"));
    }
  }

  @Test
  void restore_ignoresFilesTheManifestDoesNotList() throws IOException {
    Path ckpt = takeCheckpoint();
    Files.writeString(ckpt.resolve("CURRENT.md5"), "sidecar written by Ratis");

    RocksDbStateStore.restore(ckpt, live());

    assertThat(fileNames(live())).doesNotContain("CURRENT.md5");
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      assertThat(store.applied().index()).isEqualTo(42);
    }
  }

  @Test
  void checkpoint_alreadyTakenAtSameIndex_returnsExistingManifest() throws IOException {
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      fill(store, "v", 50, 1, 5);
      SnapshotManifest first = store.checkpoint(snapshots());

      SnapshotManifest second = store.checkpoint(snapshots());

      assertThat(second).isEqualTo(first);
      assertThat(fileNames(snapshots())).containsExactly("ckpt_1_5");
    }
  }

  @Test
  void checkpoint_staleTmpOrIncompleteFinalDir_isReplaced() throws IOException {
    Files.createDirectories(snapshots().resolve("ckpt_1_5.tmp"));
    Files.writeString(snapshots().resolve("ckpt_1_5.tmp/000001.sst"), "junk");
    Files.createDirectories(snapshots().resolve("ckpt_1_5"));
    Files.writeString(snapshots().resolve("ckpt_1_5/CURRENT"), "junk, no manifest");
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      fill(store, "v", 50, 1, 5);

      SnapshotManifest manifest = store.checkpoint(snapshots());

      manifest.verify(snapshots().resolve("ckpt_1_5"));
      assertThat(fileNames(snapshots())).containsExactly("ckpt_1_5");
    }
  }

  @Test
  void digest_sameDataDifferentBatchPatterns_isEqual() {
    String oneBatch;
    try (RocksDbStateStore a = RocksDbStateStore.open(tmp.resolve("a"), KEYSPACES)) {
      try (ApplyBatch batch = a.newBatch()) {
        batch.put(utf8("x"), utf8("1"));
        batch.put(utf8("y"), utf8("2"));
        batch.put("users", utf8("alice"), utf8("admin"));
        batch.commit(1, 1);
      }
      oneBatch = a.digestHex();
    }
    try (RocksDbStateStore b = RocksDbStateStore.open(tmp.resolve("b"), KEYSPACES)) {
      long index = 10;
      for (String[] op :
          List.of(
              new String[] {"users", "alice", "guest"},
              new String[] {"default", "y", "2"},
              new String[] {"default", "z", "temporary"})) {
        try (ApplyBatch batch = b.newBatch()) {
          batch.put(op[0], utf8(op[1]), utf8(op[2]));
          batch.commit(2, index++);
        }
      }
      // Flushes to an SST file, so the two stores also differ in physical layout.
      b.checkpoint(tmp.resolve("b-snapshots"));
      try (ApplyBatch batch = b.newBatch()) {
        batch.delete(utf8("z"));
        batch.put("users", utf8("alice"), utf8("admin"));
        batch.put(utf8("x"), utf8("1"));
        batch.commit(2, index);
      }
      assertThat(b.applied().index()).isNotEqualTo(1);
      assertThat(b.digestHex()).isEqualTo(oneBatch);
    }
  }

  @Test
  void digest_oneValueOrKeyspaceDiffers_isDifferent() {
    try (RocksDbStateStore a = RocksDbStateStore.open(tmp.resolve("a"), KEYSPACES);
        RocksDbStateStore b = RocksDbStateStore.open(tmp.resolve("b"), KEYSPACES);
        RocksDbStateStore c = RocksDbStateStore.open(tmp.resolve("c"), KEYSPACES)) {
      fill(a, "v", 100, 1, 1);
      fill(b, "v", 100, 1, 1);
      fill(c, "v", 100, 1, 1);
      assertThat(b.digest()).isEqualTo(a.digest());

      try (ApplyBatch batch = b.newBatch()) {
        batch.put("users", utf8("u50"), utf8("user-v50!"));
        batch.commit(1, 2);
      }
      // The same entry, moved to another keyspace.
      try (ApplyBatch batch = c.newBatch()) {
        batch.delete("users", utf8("u0"));
        batch.put("orders", utf8("u0"), utf8("user-v0"));
        batch.commit(1, 2);
      }
      assertThat(b.digestHex()).isNotEqualTo(a.digestHex()).hasSize(64);
      assertThat(c.digestHex()).isNotEqualTo(a.digestHex());
    }
  }

  @Test
  void restore_sstWithFlippedByte_isRefusedAndLiveUntouched() throws IOException {
    Path ckpt = takeCheckpoint();
    Path sst = fileMatching(ckpt, ".sst");
    byte[] bytes = Files.readAllBytes(sst);
    bytes[bytes.length / 2] ^= 0x01;
    // Rewrite in place: the file is a hard link shared with the source store's live SST.
    Files.delete(sst);
    Files.write(sst, bytes);

    assertRefusedAndLiveUntouched(ckpt, sst, "checksum mismatch");
  }

  @Test
  void restore_truncatedFile_isRefusedWithSizes() throws IOException {
    Path ckpt = takeCheckpoint();
    Path file = fileMatching(ckpt, ".sst");
    long size = Files.size(file);
    byte[] bytes = Files.readAllBytes(file);
    Files.delete(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 10));

    assertRefusedAndLiveUntouched(ckpt, file, "has size " + (size - 10) + ", expected " + size);
  }

  @Test
  void restore_missingFile_isRefused() throws IOException {
    Path ckpt = takeCheckpoint();
    Path current = ckpt.resolve("CURRENT");
    Files.delete(current);

    assertRefusedAndLiveUntouched(ckpt, current, "missing");
  }

  @Test
  void restore_garbledManifest_isRefused() throws IOException {
    Path ckpt = takeCheckpoint();
    Path manifest = ckpt.resolve(SnapshotManifest.FILE_NAME);
    String text = Files.readString(manifest);
    Files.writeString(manifest, text.replace("index=42", "index=43"));

    assertRefusedAndLiveUntouched(ckpt, manifest, "unreadable snapshot manifest");
  }

  @Test
  void restore_tornManifest_isRefused() throws IOException {
    Path ckpt = takeCheckpoint();
    Path manifest = ckpt.resolve(SnapshotManifest.FILE_NAME);
    try (FileChannel ch = FileChannel.open(manifest, StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }

    assertRefusedAndLiveUntouched(ckpt, manifest, "unreadable snapshot manifest");
  }

  @Test
  void restore_missingManifest_isRefused() throws IOException {
    Path ckpt = takeCheckpoint();
    Path manifest = ckpt.resolve(SnapshotManifest.FILE_NAME);
    Files.delete(manifest);

    assertRefusedAndLiveUntouched(ckpt, manifest, "missing");
  }

  private void assertRefusedAndLiveUntouched(Path ckpt, Path badFile, String problem)
      throws IOException {
    String digest;
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      fill(store, "live", 20, 7, 70);
      digest = store.digestHex();
    }
    List<String> liveFiles = fileNames(live());

    assertThatThrownBy(() -> RocksDbStateStore.restore(ckpt, live()))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining(badFile.toString())
        .hasMessageContaining(problem)
        .satisfies(e -> assertThat(((CorruptSnapshotException) e).file()).contains(badFile));

    assertThat(tmp.resolve("live.restoring")).doesNotExist();
    assertThat(fileNames(live())).isEqualTo(liveFiles);
    try (RocksDbStateStore store = RocksDbStateStore.open(live(), KEYSPACES)) {
      assertThat(store.applied()).isEqualTo(new AppliedIndex(7, 70));
      assertThat(store.digestHex()).isEqualTo(digest);
    }
  }
}
