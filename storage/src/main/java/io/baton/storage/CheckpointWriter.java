package io.baton.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the checkpoints of one open database into snapshot directories with their {@link
 * SnapshotManifest}, keeping the checksums of the SST files it has read so that each snapshot reads
 * only the SST files created since the previous one.
 *
 * <p>Thread-safe; checkpoints are written one at a time.
 */
final class CheckpointWriter {
  private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);
  private static final String SST_SUFFIX = ".sst";

  private final RocksDB db;
  private final Path storeDir;
  private final Lock applyLock;
  private final Supplier<AppliedIndex> applied;

  // CRC32C of SST files by (name, size): SST files are immutable and their numbers are never
  // reused within a database. Guarded by this.
  private final Map<SstKey, Long> sstCrcCache = new HashMap<>();
  private final AtomicLong sstFilesChecksummed = new AtomicLong();

  private record SstKey(String name, long size) {}

  /**
   * A writer for {@code db}.
   *
   * @param storeDir the database's directory, for log lines
   * @param applyLock held while the applied index changes; the writer holds it while RocksDB cuts a
   *     checkpoint, so the checkpoint is exactly at {@code applied}
   * @param applied the position of the database's state
   */
  CheckpointWriter(RocksDB db, Path storeDir, Lock applyLock, Supplier<AppliedIndex> applied) {
    this.db = db;
    this.storeDir = storeDir;
    this.applyLock = applyLock;
    this.applied = applied;
  }

  /**
   * Writes a checkpoint of the current state in {@code snapshotRoot/}{@link SnapshotCatalog#dirName
   * dirName}{@code (applied)}, unless one with a readable manifest for that position is there.
   *
   * <p>The checkpoint is built in a sibling {@code .tmp} directory and renamed into place once its
   * manifest is written and synced, so the final directory is either absent or complete.
   *
   * @return the manifest of the checkpoint, or of the one already there
   */
  synchronized SnapshotManifest write(Path snapshotRoot) throws IOException, RocksDBException {
    Files.createDirectories(snapshotRoot);
    AppliedIndex at;
    Path finalDir;
    Path tmpDir;
    applyLock.lock();
    try {
      at = applied.get();
      String name = SnapshotCatalog.dirName(at.term(), at.index());
      finalDir = snapshotRoot.resolve(name);
      tmpDir = snapshotRoot.resolve(name + ".tmp");
      Optional<SnapshotManifest> existing = existingManifest(finalDir, at);
      if (existing.isPresent()) {
        return existing.get();
      }
      FsUtil.deleteRecursively(finalDir);
      FsUtil.deleteRecursively(tmpDir);
      try (Checkpoint cp = Checkpoint.create(db)) {
        cp.createCheckpoint(tmpDir.toString());
      }
    } finally {
      applyLock.unlock();
    }
    try {
      SnapshotManifest manifest = new SnapshotManifest(at.term(), at.index(), describe(tmpDir));
      manifest.write(tmpDir);
      Files.move(tmpDir, finalDir, StandardCopyOption.ATOMIC_MOVE);
      FsUtil.fsyncDir(snapshotRoot);
      log.info("Took snapshot {} ({} of {})", finalDir, manifest, storeDir);
      return manifest;
    } catch (IOException | RuntimeException e) {
      try {
        FsUtil.deleteRecursively(tmpDir);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static Optional<SnapshotManifest> existingManifest(Path finalDir, AppliedIndex at) {
    if (!Files.isDirectory(finalDir)) {
      return Optional.empty();
    }
    try {
      SnapshotManifest m = SnapshotManifest.read(finalDir);
      if (m.term() == at.term() && m.index() == at.index()) {
        return Optional.of(m);
      }
      log.warn("Replacing snapshot {}: its manifest is for {}", finalDir, m);
    } catch (CorruptSnapshotException e) {
      log.warn("Replacing incomplete snapshot {}: {}", finalDir, e.getMessage());
    }
    return Optional.empty();
  }

  /** Lists, sizes and checksums the files of a fresh checkpoint directory. */
  private List<SnapshotManifest.FileEntry> describe(Path checkpointDir) throws IOException {
    List<Path> files;
    try (Stream<Path> entries = Files.list(checkpointDir)) {
      files = entries.filter(Files::isRegularFile).sorted().toList();
    }
    List<SnapshotManifest.FileEntry> out = new ArrayList<>(files.size());
    Map<SstKey, Long> seen = new HashMap<>();
    for (Path file : files) {
      String name = file.getFileName().toString();
      long size = Files.size(file);
      long crc;
      if (name.endsWith(SST_SUFFIX)) {
        SstKey key = new SstKey(name, size);
        Long cached = sstCrcCache.get(key);
        if (cached == null) {
          cached = FsUtil.crc32c(file);
          sstFilesChecksummed.incrementAndGet();
        }
        seen.put(key, cached);
        crc = cached;
      } else {
        // MANIFEST, CURRENT, OPTIONS and WAL files are copied, not linked, and may change.
        crc = FsUtil.crc32c(file);
      }
      out.add(new SnapshotManifest.FileEntry(name, size, crc));
    }
    // SST files that left the live set (compacted away) never come back under the same number.
    sstCrcCache.keySet().retainAll(seen.keySet());
    sstCrcCache.putAll(seen);
    return out;
  }

  /** How many SST files this writer has read to checksum them. */
  long sstFilesChecksummed() {
    return sstFilesChecksummed.get();
  }
}
