package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

final class CheckpointWriterTest {
  @TempDir Path tmp;

  private AppliedIndex at = new AppliedIndex(1, 1);

  private Path db;
  private Path snapshots;

  @BeforeEach
  void setUp() {
    db = tmp.resolve("db");
    snapshots = tmp.resolve("snapshots");
  }

  private CheckpointWriter writer(RawRocksDb raw) {
    return new CheckpointWriter(raw.db(), db, new ReentrantLock(), () -> at);
  }

  private static void fill(RawRocksDb raw, String tag, int n) throws RocksDBException {
    for (int i = 0; i < n; i++) {
      raw.put("default", tag + i, "value-" + tag + i);
    }
  }

  private static Set<String> sstNames(SnapshotManifest m) {
    return m.files().stream()
        .map(SnapshotManifest.FileEntry::name)
        .filter(n -> n.endsWith(".sst"))
        .collect(Collectors.toSet());
  }

  @Test
  void write_second_checksumsOnlyNewSstFiles() throws Exception {
    try (RawRocksDb raw = new RawRocksDb(db)) {
      CheckpointWriter writer = writer(raw);
      fill(raw, "a", 300);
      SnapshotManifest first = writer.write(snapshots);
      Set<String> firstSsts = sstNames(first);
      assertThat(writer.sstFilesChecksummed()).isEqualTo(firstSsts.size()).isPositive();

      fill(raw, "b", 10);
      at = new AppliedIndex(1, 2);
      SnapshotManifest second = writer.write(snapshots);

      Set<String> added =
          sstNames(second).stream().filter(n -> !firstSsts.contains(n)).collect(Collectors.toSet());
      assertThat(sstNames(second)).containsAll(firstSsts);
      assertThat(added).isNotEmpty();
      assertThat(writer.sstFilesChecksummed()).isEqualTo(firstSsts.size() + added.size());
      // Cached checksums are still right: the manifest verifies against the files on disk.
      second.verify(snapshots.resolve("ckpt_1_2"));
    }
  }

  @Test
  void write_afterCompaction_checksumsTheCompactedFilesAndStillVerifies() throws Exception {
    try (RawRocksDb raw = new RawRocksDb(db)) {
      CheckpointWriter writer = writer(raw);
      fill(raw, "a", 100);
      writer.write(snapshots);
      fill(raw, "a", 100);
      at = new AppliedIndex(1, 2);
      SnapshotManifest beforeCompaction = writer.write(snapshots);
      long read = writer.sstFilesChecksummed();

      raw.db().compactRange();
      at = new AppliedIndex(1, 3);
      SnapshotManifest compacted = writer.write(snapshots);

      assertThat(sstNames(compacted)).doesNotContainAnyElementsOf(sstNames(beforeCompaction));
      assertThat(writer.sstFilesChecksummed() - read).isEqualTo(sstNames(compacted).size());
      compacted.verify(snapshots.resolve("ckpt_1_3"));
    }
  }

  @Test
  void write_samePositionAgain_returnsTheManifestOnDiskWithoutReading() throws Exception {
    try (RawRocksDb raw = new RawRocksDb(db)) {
      CheckpointWriter writer = writer(raw);
      fill(raw, "a", 100);
      SnapshotManifest first = writer.write(snapshots);
      long read = writer.sstFilesChecksummed();
      fill(raw, "b", 100);

      SnapshotManifest again = writer.write(snapshots);

      assertThat(again.files()).isEqualTo(first.files());
      assertThat(writer.sstFilesChecksummed()).isEqualTo(read);
    }
  }
}
