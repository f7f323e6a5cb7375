package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class StoreDirectoryTest {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("state");
  }

  private static List<String> entries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void inspect_absentOrEmptyDirectory_isEmptyAndNotCreated() throws IOException {
    assertThat(StoreDirectory.inspect(dir()).empty()).isTrue();
    assertThat(dir()).doesNotExist();

    Files.createDirectories(dir());
    StoreDirectory.Contents contents = StoreDirectory.inspect(dir());
    assertThat(contents.empty()).isTrue();
    assertThat(contents.columnFamilies()).isEmpty();
  }

  @Test
  void inspect_batonStore_listsItsColumnFamilies() {
    RocksDbStateStore.open(dir(), Set.of("users")).close();

    StoreDirectory.Contents contents = StoreDirectory.inspect(dir());

    assertThat(contents.empty()).isFalse();
    assertThat(contents.columnFamilies())
        .extracting(Keys::utf8)
        .containsExactlyInAnyOrder("default", RocksDbStateStore.META_KEYSPACE, "users");
  }

  @Test
  void inspect_regularFile_isRefused() throws IOException {
    Files.writeString(dir(), "not a directory");

    assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(dir() + ": it exists and is not a directory");
  }

  @Test
  void inspect_foreignFiles_isRefusedAsNotRocksDb() throws IOException {
    Files.createDirectories(dir());
    Files.writeString(dir().resolve("notes.txt"), "precious");

    assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("not a RocksDB database (no CURRENT file)");
    assertThat(entries(dir())).containsExactly("notes.txt");
  }

  @Test
  void inspect_rocksDbFilesWithoutCurrent_isDamagedNamingThem() throws IOException {
    Files.createDirectories(dir());
    Files.writeString(dir().resolve("MANIFEST-000005"), "");
    Files.writeString(dir().resolve("000007.sst"), "");
    Files.writeString(dir().resolve("notes.txt"), "");

    assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("is damaged")
        .hasMessageContaining(dir().resolve("CURRENT") + " is missing")
        .hasMessageContaining("[000007.sst, MANIFEST-000005]");
  }

  @Test
  void inspect_currentGarbledOversizedOrDangling_isDamagedNamingIt() throws IOException {
    Files.createDirectories(dir());
    Path current = dir().resolve("CURRENT");
    Files.writeString(dir().resolve("MANIFEST-000005"), "");

    for (String garbled : List.of("MANIFEST-000005", "manifest\n", "MANIFEST-1\n".repeat(8))) {
      Files.writeString(current, garbled);
      assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
          .as("CURRENT holding %s", garbled)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(current + " does not hold the name of a MANIFEST file");
    }

    Files.writeString(current, "MANIFEST-000006\n");
    assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining(current + " names MANIFEST-000006, which does not exist");
  }

  @Test
  void inspect_rocksDbWithoutMetaColumnFamily_isRefusedAsNotBaton() throws Exception {
    try (RawRocksDb foreign = new RawRocksDb(dir(), "theirs")) {
      foreign.put("theirs", "k", "v");
    }
    List<String> before = entries(dir());

    assertThatThrownBy(() -> StoreDirectory.inspect(dir()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("it is a RocksDB database but not a Baton state store")
        .hasMessageContaining("no 'baton.meta' column family in " + dir().resolve("MANIFEST-"));
    assertThat(entries(dir())).isEqualTo(before);
  }
}
