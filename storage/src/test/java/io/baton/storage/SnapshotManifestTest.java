package io.baton.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SnapshotManifestTest {
  @TempDir Path dir;

  private static long crc(String s) {
    CRC32C crc = new CRC32C();
    crc.update(s.getBytes(StandardCharsets.UTF_8));
    return crc.getValue();
  }

  /** Writes {@code body} followed by a correct crc= line, as a well-formed but crafted manifest. */
  private void writeWithCrc(String body) throws Exception {
    Files.writeString(
        dir.resolve(SnapshotManifest.FILE_NAME),
        body + String.format("crc=%08x%n", crc(body)).replace(System.lineSeparator(), "\n"));
  }

  @Test
  void writeThenRead_roundTrips() throws Exception {
    Files.writeString(dir.resolve("000007.sst"), "sst contents");
    Files.writeString(dir.resolve("CURRENT"), "MANIFEST-000005\n");
    SnapshotManifest written =
        new SnapshotManifest(
            4,
            99,
            List.of(
                new SnapshotManifest.FileEntry("CURRENT", 16, crc("MANIFEST-000005\n")),
                new SnapshotManifest.FileEntry("000007.sst", 12, crc("sst contents"))));
    written.write(dir);

    SnapshotManifest read = SnapshotManifest.read(dir);

    assertThat(read).isEqualTo(written);
    assertThat(read.term()).isEqualTo(4);
    assertThat(read.index()).isEqualTo(99);
    assertThat(read.totalSizeBytes()).isEqualTo(28);
    assertThat(read.files())
        .extracting(SnapshotManifest.FileEntry::name)
        .containsExactly("000007.sst", "CURRENT");
    read.verify(dir);
    assertThat(Files.readString(dir.resolve(SnapshotManifest.FILE_NAME)))
        .startsWith("format=1\nterm=4\nindex=99\nfile=000007.sst 12 ")
        .containsPattern("\ncrc=[0-9a-f]{8}\n$");
  }

  @Test
  void read_unknownFormatVersion_isRefused() throws Exception {
    writeWithCrc("format=2\nterm=1\nindex=1\n");

    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining(dir.resolve(SnapshotManifest.FILE_NAME).toString())
        .hasMessageContaining("unknown format version 2");
  }

  @Test
  void read_withoutCrcLine_isRefusedAsTruncated() throws Exception {
    Files.writeString(dir.resolve(SnapshotManifest.FILE_NAME), "format=1\nterm=1\nindex=1\n");

    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void read_fileNameOutsideCheckpoint_isRefused() throws Exception {
    writeWithCrc("format=1\nterm=1\nindex=1\nfile=../../etc/passwd 10 0000abcd\n");

    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("invalid snapshot file name '../../etc/passwd'");
  }

  @Test
  void read_malformedLines_areRefused() throws Exception {
    writeWithCrc("format=1\nterm=1\nindex=x\n");
    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("malformed line 'index=x'");

    writeWithCrc("format=1\nterm=1\nindex=1\nfile=CURRENT 16\n");
    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("malformed line 'file=CURRENT 16'");

    writeWithCrc("format=1\nterm=1\nindex=1\nfile=CURRENT 16 1\nfile=CURRENT 16 1\n");
    assertThatThrownBy(() -> SnapshotManifest.read(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("listed twice");
  }

  @Test
  void verify_wrongSizeOrContentOrMissing_namesTheFile() throws Exception {
    Path file = dir.resolve("000001.sst");
    Files.writeString(file, "abc");
    SnapshotManifest m =
        new SnapshotManifest(
            1, 1, List.of(new SnapshotManifest.FileEntry("000001.sst", 3, crc("abc"))));
    m.verify(dir);

    Files.writeString(file, "abd");
    assertThatThrownBy(() -> m.verify(dir))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessage(
            String.format(
                "snapshot file %s checksum mismatch: CRC32C %08x, expected %08x",
                file, crc("abd"), crc("abc")));

    Files.writeString(file, "abcd");
    assertThatThrownBy(() -> m.verify(dir))
        .hasMessage("snapshot file " + file + " has size 4, expected 3");

    Files.delete(file);
    assertThatThrownBy(() -> m.verify(dir)).hasMessage("snapshot file missing: " + file);
  }

  @Test
  void fileEntry_invalidValues_areRejected() {
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry("a/b", 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry("a b", 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry("..", 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry(SnapshotManifest.FILE_NAME, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry("x", -1, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SnapshotManifest.FileEntry("x", 1, 0x1_0000_0000L))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
