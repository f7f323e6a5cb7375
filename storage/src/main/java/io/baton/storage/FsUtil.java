package io.baton.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * File-system helpers shared by the store, the manifest and the catalog. Public only so that {@code
 * baton-testing} deletes directories with the same code; not API.
 */
public final class FsUtil {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  private FsUtil() {}

  /** The CRC32C of the whole contents of {@code file}. */
  static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return crc.getValue();
  }

  /** Forces the contents of a regular file to stable storage. */
  static void fsyncFile(Path file) throws IOException {
    // Read-only files (a received snapshot may be one) can be synced through a read channel on
    // POSIX systems; Windows needs write access to flush.
    StandardOpenOption mode =
        Files.isWritable(file) ? StandardOpenOption.WRITE : StandardOpenOption.READ;
    try (FileChannel ch = FileChannel.open(file, mode)) {
      ch.force(true);
    }
  }

  /**
   * Forces a directory's entries (creations, renames, deletions) to stable storage, so a rename
   * that published a snapshot survives a power loss.
   */
  static void fsyncDir(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Windows cannot open a directory as a channel; its metadata updates are journaled anyway.
      if (!WINDOWS) {
        throw e;
      }
    }
  }

  /** Whether {@code dir} is absent, or a directory with no entries. */
  static boolean isAbsentOrEmptyDir(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return true;
    }
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Deletes {@code path} and, if it is a directory, everything below it; absent is fine. */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
