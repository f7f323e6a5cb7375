package io.baton.storage;

import io.baton.statemachine.Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Decides what a store directory holds before RocksDB opens it: nothing yet (a new store), a Baton
 * store with the column families to open, or something to refuse, naming the directory and the file
 * at fault: a damaged store, a directory that is not a RocksDB database, or a RocksDB database that
 * Baton did not create. It only reads; the directory is never modified.
 *
 * <p>These checks come before RocksDB because RocksDB would create a new database among foreign
 * files, create the missing {@code baton.meta} column family in someone else's database, and
 * reports a missing or garbled {@code CURRENT} file in ways that do not name it.
 */
final class StoreDirectory {
  private static final String CURRENT_FILE = "CURRENT";
  private static final Pattern CURRENT_CONTENT = Pattern.compile("(MANIFEST-[0-9]+)\n");
  private static final Pattern ROCKSDB_FILE =
      Pattern.compile("MANIFEST-[0-9]+|OPTIONS-[0-9]+|[0-9]+\\.(sst|log)");

  static {
    RocksDB.loadLibrary();
  }

  private StoreDirectory() {}

  /**
   * What a store directory holds.
   *
   * @param empty whether the directory is absent or has no entries: a new store is created there
   * @param columnFamilies the names of the column families of the Baton store in it; empty if
   *     {@code empty}
   */
  record Contents(boolean empty, List<byte[]> columnFamilies) {
    static final Contents EMPTY = new Contents(true, List.of());

    Contents {
      columnFamilies = List.copyOf(columnFamilies);
    }
  }

  /**
   * Inspects {@code dir}.
   *
   * @throws StorageException naming {@code dir} if it is neither empty nor a Baton store, if it is
   *     a damaged store (naming the damaged file), or if it cannot be read
   */
  static Contents inspect(Path dir) {
    try {
      if (FsUtil.isAbsentOrEmptyDir(dir)) {
        return Contents.EMPTY;
      }
    } catch (IOException e) {
      throw new StorageException("cannot open state store " + dir + ": " + e, e);
    }
    return new Contents(false, existingColumnFamilies(dir));
  }

  /**
   * Lists the column families of a non-empty {@code dir}, after checking that it is a RocksDB
   * database created by Baton.
   */
  private static List<byte[]> existingColumnFamilies(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new StorageException(
          "refusing to open state store " + dir + ": it exists and is not a directory");
    }
    Path current = dir.resolve(CURRENT_FILE);
    if (!Files.isRegularFile(current)) {
      List<String> rocksDbFiles = rocksDbFiles(dir);
      if (!rocksDbFiles.isEmpty()) {
        throw new StorageException(
            "state store "
                + dir
                + " is damaged: its file "
                + current
                + " is missing, yet the directory holds RocksDB files "
                + rocksDbFiles);
      }
      throw new StorageException(
          "refusing to open state store "
              + dir
              + ": the directory is not empty and is not a RocksDB database (no CURRENT file);"
              + " point Baton at an empty or new directory");
    }
    String manifest = manifestNamedBy(dir, current);
    List<byte[]> existing;
    try (Options options = new Options()) {
      existing = RocksDB.listColumnFamilies(options, dir.toString());
    } catch (RocksDBException e) {
      throw new StorageException(
          "cannot open state store " + dir + ": cannot list column families: " + e.getMessage(), e);
    }
    byte[] metaName = Keys.utf8(RocksDbStateStore.META_KEYSPACE);
    if (existing.stream().noneMatch(n -> Arrays.equals(n, metaName))) {
      throw new StorageException(
          "refusing to open state store "
              + dir
              + ": it is a RocksDB database but not a Baton state store (no '"
              + RocksDbStateStore.META_KEYSPACE
              + "' column family in "
              + dir.resolve(manifest)
              + "), or that file is damaged");
    }
    return existing;
  }

  /*
   * RocksDB reads CURRENT only to find the MANIFEST, and reports a garbled or dangling CURRENT in
   * ways that do not name it (listColumnFamilies even answers with the default family alone).
   */
  private static String manifestNamedBy(Path dir, Path current) {
    String content;
    try {
      content =
          Files.size(current) > 64
              ? ""
              : new String(Files.readAllBytes(current), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new StorageException(
          "state store " + dir + " is damaged: cannot read its file " + current + ": " + e, e);
    }
    Matcher m = CURRENT_CONTENT.matcher(content);
    if (!m.matches()) {
      throw new StorageException(
          "state store "
              + dir
              + " is damaged: its file "
              + current
              + " does not hold the name of a MANIFEST file");
    }
    String manifest = m.group(1);
    if (!Files.isRegularFile(dir.resolve(manifest))) {
      throw new StorageException(
          "state store "
              + dir
              + " is damaged: its file "
              + current
              + " names "
              + manifest
              + ", which does not exist");
    }
    return manifest;
  }

  /** Names in {@code dir} that only RocksDB writes, sorted, at most five. */
  private static List<String> rocksDbFiles(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> ROCKSDB_FILE.matcher(n).matches())
          .sorted()
          .limit(5)
          .toList();
    } catch (IOException e) {
      throw new StorageException("cannot list state store " + dir + ": " + e, e);
    }
  }
}
