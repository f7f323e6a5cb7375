package io.baton.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs a verified checkpoint as a store's live directory, so that a crash at any point leaves
 * either the old directory or the complete new one.
 */
final class CheckpointRestorer {
  private static final Logger log = LoggerFactory.getLogger(CheckpointRestorer.class);
  private static final String RESTORING_SUFFIX = ".restoring";

  private CheckpointRestorer() {}

  /** See {@link RocksDbStateStore#restore}. */
  static void restore(Path checkpointDir, Path liveDir) {
    Objects.requireNonNull(checkpointDir, "checkpointDir");
    Objects.requireNonNull(liveDir, "liveDir");
    SnapshotManifest manifest = SnapshotManifest.read(checkpointDir);
    manifest.verify(checkpointDir);

    Path absLive = liveDir.toAbsolutePath();
    Path parent = absLive.getParent();
    Path restoring = absLive.resolveSibling(absLive.getFileName() + RESTORING_SUFFIX);
    try {
      Files.createDirectories(parent);
      FsUtil.deleteRecursively(restoring);
      Files.createDirectory(restoring);
      for (SnapshotManifest.FileEntry f : manifest.files()) {
        Path source = checkpointDir.resolve(f.name());
        Path target = restoring.resolve(f.name());
        try {
          Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
          // Different file systems, or one without hard links.
          Files.copy(source, target);
        }
        FsUtil.fsyncFile(target);
      }
      FsUtil.fsyncDir(restoring);
      FsUtil.deleteRecursively(absLive);
      Files.move(restoring, absLive, StandardCopyOption.ATOMIC_MOVE);
      FsUtil.fsyncDir(parent);
    } catch (IOException e) {
      throw new StorageException(
          "cannot restore " + checkpointDir + " into " + liveDir + ": " + e, e);
    }
    log.info("Restored {} into {} ({})", checkpointDir, liveDir, manifest);
  }
}
