package io.baton.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File helpers for the benchmarks: sizes and a raw copy with fsync (deleting is {@link
 * io.baton.testing.TempDirs}).
 */
public final class Dirs {
  private Dirs() {}

  /** The total size of the regular files under {@code root}; 0 if it does not exist. */
  public static long size(Path root) {
    if (!Files.exists(root)) {
      return 0;
    }
    AtomicLong total = new AtomicLong();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total.addAndGet(attrs.size());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              // A RocksDB file deleted by a compaction while we walk: it no longer counts.
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total.get();
  }

  /**
   * Copies every regular file under {@code from} to the same relative path under {@code to}, and
   * forces each copy to disk before the next: what a node receiving those files must at least do.
   *
   * @return the bytes copied
   */
  public static long copyAndSync(Path from, Path to) throws IOException {
    AtomicLong bytes = new AtomicLong();
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(file).toString());
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                FileChannel out =
                    FileChannel.open(
                        target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
              long size = in.size();
              for (long pos = 0; pos < size; ) {
                pos += in.transferTo(pos, size - pos, out);
              }
              out.force(true);
              bytes.addAndGet(size);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return bytes.get();
  }
}
