package io.baton.testing;

import io.baton.storage.FsUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates and deletes the directory trees that local clusters, benchmarks and checks keep their
 * data in. Thread-safe (no state).
 *
 * @since 0.1
 */
public final class TempDirs {
  private TempDirs() {}

  /**
   * A new directory under {@code java.io.tmpdir} whose name starts with {@code prefix}.
   *
   * @throws UncheckedIOException if it cannot be created
   */
  public static Path create(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory: " + e, e);
    }
  }

  /**
   * A new directory under {@code parent} whose name starts with {@code prefix}.
   *
   * @throws UncheckedIOException if it cannot be created
   */
  public static Path create(Path parent, String prefix) {
    try {
      return Files.createTempDirectory(parent, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory: " + e, e);
    }
  }

  /**
   * Deletes {@code root} and everything under it; nothing if it does not exist. Files that vanish
   * during the walk (a RocksDB compaction still finishing) are skipped.
   *
   * @throws UncheckedIOException if a file or directory cannot be deleted
   */
  public static void deleteRecursively(Path root) {
    try {
      FsUtil.deleteRecursively(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root + ": " + e, e);
    }
  }

  /**
   * Deletes {@code root} like {@link #deleteRecursively}, but reports a failure on standard error
   * instead of throwing it: for tear-down, where a leftover directory must not hide the result.
   *
   * @return whether everything was deleted
   */
  public static boolean deleteQuietly(Path root) {
    try {
      deleteRecursively(root);
      return true;
    } catch (RuntimeException e) {
      System.err.println("could not delete " + root + ": " + e);
      return false;
    }
  }
}
