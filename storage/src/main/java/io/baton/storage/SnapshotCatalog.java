package io.baton.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints kept under one snapshot root directory, each in a subdirectory named {@code
 * ckpt_<term>_<index>} (see {@link #dirName}). A checkpoint counts as complete once its directory
 * holds a {@link SnapshotManifest#FILE_NAME}; {@link RocksDbStateStore#checkpoint} only publishes a
 * directory under its final name after writing the manifest, so half-written ones ({@code *.tmp})
 * are never listed.
 *
 * <p>The catalog reads the directory on every call and keeps no state. It must not be used to
 * {@link #retain} concurrently with a checkpoint being taken into the same root.
 */
public final class SnapshotCatalog {
  private static final Pattern NAME = Pattern.compile("ckpt_(\\d+)_(\\d+)");
  private static final String TMP_SUFFIX = ".tmp";

  private final Path root;

  /**
   * A complete checkpoint.
   *
   * @param dir the checkpoint directory
   * @param term the Raft term of the last entry it reflects
   * @param index the log index of the last entry it reflects
   */
  public record SnapshotRef(Path dir, long term, long index) {
    /** Validates the components. */
    public SnapshotRef {
      Objects.requireNonNull(dir, "dir");
    }
  }

  /** A catalog of the checkpoints under {@code root}, which need not exist yet. */
  public SnapshotCatalog(Path root) {
    this.root = Objects.requireNonNull(root, "root");
  }

  /** The directory name of the checkpoint at {@code (term, index)}: {@code ckpt_<term>_<index>}. */
  public static String dirName(long term, long index) {
    if (term < 0 || index < 0) {
      throw new IllegalArgumentException(
          "term (" + term + ") and index (" + index + ") must be >= 0");
    }
    return "ckpt_" + term + "_" + index;
  }

  /** The snapshot root directory. */
  public Path root() {
    return root;
  }

  /**
   * The complete checkpoints under the root, by log index ascending (then term); empty if the root
   * does not exist. Directories with other names, {@code *.tmp} leftovers and directories without a
   * manifest are ignored.
   *
   * @throws StorageException if the root cannot be listed
   */
  public List<SnapshotRef> list() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    List<SnapshotRef> refs = new ArrayList<>();
    try (Stream<Path> entries = Files.list(root)) {
      for (Path dir : (Iterable<Path>) entries::iterator) {
        parse(dir).ifPresent(refs::add);
      }
    } catch (IOException e) {
      throw new StorageException("cannot list snapshot root " + root + ": " + e, e);
    }
    refs.sort(Comparator.comparingLong(SnapshotRef::index).thenComparingLong(SnapshotRef::term));
    return List.copyOf(refs);
  }

  /** The complete checkpoint with the highest log index, if any. */
  public Optional<SnapshotRef> latest() {
    List<SnapshotRef> refs = list();
    return refs.isEmpty() ? Optional.empty() : Optional.of(refs.get(refs.size() - 1));
  }

  /**
   * Deletes all but the {@code keep} newest complete checkpoints, and every {@code *.tmp} leftover
   * of an interrupted checkpoint. Directories that are not checkpoints are left alone.
   *
   * @throws IllegalArgumentException if {@code keep < 1}: the newest checkpoint is what a lagging
   *     follower is sent, so it is never deleted
   * @throws StorageException if a directory cannot be deleted
   */
  public void retain(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep (" + keep + ") must be >= 1");
    }
    List<SnapshotRef> refs = list();
    List<Path> doomed = new ArrayList<>();
    for (int i = 0; i < refs.size() - keep; i++) {
      doomed.add(refs.get(i).dir());
    }
    if (Files.isDirectory(root)) {
      try (Stream<Path> entries = Files.list(root)) {
        entries.filter(p -> p.getFileName().toString().endsWith(TMP_SUFFIX)).forEach(doomed::add);
      } catch (IOException e) {
        throw new StorageException("cannot list snapshot root " + root + ": " + e, e);
      }
    }
    for (Path dir : doomed) {
      try {
        FsUtil.deleteRecursively(dir);
      } catch (IOException e) {
        throw new StorageException("cannot delete old snapshot " + dir + ": " + e, e);
      }
    }
  }

  /**
   * Deletes the checkpoint {@code ref}, for one found damaged. Must not run concurrently with a
   * checkpoint being taken into the same root.
   *
   * @throws StorageException if it cannot be deleted
   */
  public void delete(SnapshotRef ref) {
    if (!root.equals(ref.dir().getParent())) {
      throw new IllegalArgumentException(ref.dir() + " is not a snapshot under " + root);
    }
    try {
      FsUtil.deleteRecursively(ref.dir());
    } catch (IOException e) {
      throw new StorageException("cannot delete snapshot " + ref.dir() + ": " + e, e);
    }
  }

  private static Optional<SnapshotRef> parse(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()
        || !Files.isDirectory(dir)
        || !Files.isRegularFile(dir.resolve(SnapshotManifest.FILE_NAME))) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new SnapshotRef(dir, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
    } catch (NumberFormatException e) {
      // More digits than a long holds: not a name Baton wrote.
      return Optional.empty();
    }
  }
}
