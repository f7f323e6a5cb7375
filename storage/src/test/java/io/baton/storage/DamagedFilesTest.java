package io.baton.storage;

import static io.baton.statemachine.Keys.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store and snapshot files damaged on disk are reported, naming the file, never used silently. */
final class DamagedFilesTest {
  private static final int COMMITS = 350;

  @TempDir Path tmp;

  /*
   * COMMITS single-key batches, a checkpoint (which flushes the memtables: SST files and MANIFEST
   * edits, and obsolete WAL files deleted) after every 100, the rest only in the WAL.
   */
  private Path storeWithFlushesAndWal() {
    Path dir = tmp.resolve("store");
    try (RocksDbStateStore store = RocksDbStateStore.open(dir, Set.of())) {
      for (int i = 1; i <= COMMITS; i++) {
        try (ApplyBatch batch = store.newBatch()) {
          batch.put(utf8("k" + i), utf8("v" + i));
          batch.commit(1, i);
        }
        if (i % 100 == 0) {
          store.checkpoint(tmp.resolve("sm"));
        }
      }
    }
    return dir;
  }

  private static Path file(Path dir, String prefixOrSuffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(
              p ->
                  p.getFileName().toString().startsWith(prefixOrSuffix)
                      || p.getFileName().toString().endsWith(prefixOrSuffix))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  private static void copyFlat(Path from, Path to) throws IOException {
    FsUtil.deleteRecursively(to);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static void truncate(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0xFF);
    }
  }

  /*
   * Without atomic flush and WAL tracking, about 40% of these truncation points opened with the
   * newest applied index but without the data of the SST files the lost MANIFEST edits had added.
   */
  @Test
  void open_truncatedManifest_refusesOrOpensAConsistentPrefix() throws IOException {
    Path pristine = storeWithFlushesAndWal();
    Path manifest = file(pristine, "MANIFEST-");
    long length = Files.size(manifest);
    Path copy = tmp.resolve("copy");
    int refused = 0;
    for (long size = 0; size < length; size += 7) {
      copyFlat(pristine, copy);
      truncate(copy.resolve(manifest.getFileName()), size);
      RocksDbStateStore store;
      try {
        store = RocksDbStateStore.open(copy, Set.of());
      } catch (StorageException e) {
        assertThat(e).hasMessageContaining(copy.toString());
        refused++;
        continue;
      }
      try (store) {
        long applied = store.applied().index();
        for (int i = 1; i <= COMMITS; i++) {
          assertThat(store.reader().get(utf8("k" + i)))
              .as("key k%d with applied index %d, MANIFEST cut at %d bytes", i, applied, size)
              .isEqualTo(i <= applied ? utf8("v" + i) : null);
        }
      }
    }
    assertThat(refused).as("refusals").isPositive();
  }

  @Test
  void open_currentMissing_isRefusedAsDamagedNamingIt() throws IOException {
    Path dir = storeWithFlushesAndWal();
    Files.delete(dir.resolve("CURRENT"));

    assertThatThrownBy(() -> RocksDbStateStore.open(dir, Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is damaged")
        .hasMessageContaining(dir.resolve("CURRENT") + " is missing")
        .hasMessageContaining(".sst");
    assertThat(dir.resolve(file(dir, "MANIFEST-").getFileName())).exists();
  }

  @Test
  void open_currentGarbledOrDangling_isRefusedNamingIt() throws IOException {
    Path dir = storeWithFlushesAndWal();
    Path current = dir.resolve("CURRENT");

    Files.writeString(current, "MANIFEST-00zz\n");
    assertThatThrownBy(() -> RocksDbStateStore.open(dir, Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(current + " does not hold the name of a MANIFEST file");

    Files.writeString(current, "MANIFEST-999999\n");
    assertThatThrownBy(() -> RocksDbStateStore.open(dir, Set.of()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(current + " names MANIFEST-999999, which does not exist");
  }

  @Test
  void verifyChecksums_flippedSstByte_failsNamingTheFile() throws IOException {
    Path dir = storeWithFlushesAndWal();
    try (RocksDbStateStore store = RocksDbStateStore.open(dir, Set.of())) {
      store.verifyChecksums();
    }
    Path sst = file(dir, ".sst");
    flipByte(sst, Files.size(sst) / 4);

    try (RocksDbStateStore store = RocksDbStateStore.open(dir, Set.of())) {
      assertThatThrownBy(store::verifyChecksums)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("is damaged")
          .hasMessageContaining(sst.toString());
    }
  }

  @Test
  void delete_removesOneCheckpointOnly() {
    storeWithFlushesAndWal();
    SnapshotCatalog catalog = new SnapshotCatalog(tmp.resolve("sm"));
    SnapshotCatalog.SnapshotRef latest = catalog.latest().orElseThrow();
    int before = catalog.list().size();

    catalog.delete(latest);

    assertThat(latest.dir()).doesNotExist();
    assertThat(catalog.list()).hasSize(before - 1);
    assertThatThrownBy(
            () -> catalog.delete(new SnapshotCatalog.SnapshotRef(tmp.resolve("store"), 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
