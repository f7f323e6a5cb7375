package io.baton.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The table of contents of a checkpoint directory: the Raft position it captures and, for every
 * file of the RocksDB checkpoint, its name, size and CRC32C. Stored in the directory as {@link
 * #FILE_NAME}, so a snapshot received from another replica can be verified before it replaces the
 * live state.
 *
 * <p>The file is line-based UTF-8 text:
 *
 * <pre>
 * format=1
 * term=3
 * index=1042
 * file=000012.sst 1048576 9a3f01c2
 * file=CURRENT 16 0b1c2d3e
 * crc=5e6f7a8b
 * </pre>
 *
 * <p>{@code file=} lines carry the size in bytes and the CRC32C in hexadecimal. The final {@code
 * crc=} line is the CRC32C of every byte before it, so a torn or edited manifest is detected rather
 * than trusted. Instances are immutable.
 */
public final class SnapshotManifest {
  /** The manifest's file name inside a checkpoint directory. */
  public static final String FILE_NAME = "BATON-SNAPSHOT";

  /** The manifest format this version writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final String FORMAT = "format=";
  private static final String TERM = "term=";
  private static final String INDEX = "index=";
  private static final String FILE = "file=";
  private static final String CRC = "crc=";

  private final int formatVersion;
  private final long term;
  private final long index;
  private final List<FileEntry> files;

  /**
   * One file of a checkpoint.
   *
   * @param name the file's name, relative to the checkpoint directory (a single path element)
   * @param sizeBytes its size in bytes
   * @param crc32c the CRC32C of its contents, as an unsigned 32-bit value
   */
  public record FileEntry(String name, long sizeBytes, long crc32c) {
    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException if {@code name} is not a plain file name (no separators, not
     *     {@code .}, {@code ..} or the manifest itself, no whitespace), or a number is out of range
     */
    public FileEntry {
      Objects.requireNonNull(name, "name");
      // The name is resolved against directories on restore: a manifest must not be able to point
      // outside its own checkpoint directory.
      if (name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.equals(FILE_NAME)
          || name.chars().anyMatch(c -> c == '/' || c == '\\' || Character.isWhitespace(c))) {
        throw new IllegalArgumentException("invalid snapshot file name '" + name + "'");
      }
      if (sizeBytes < 0) {
        throw new IllegalArgumentException("sizeBytes (" + sizeBytes + ") must be >= 0");
      }
      if (crc32c < 0 || crc32c > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("crc32c (" + crc32c + ") is not a 32-bit value");
      }
    }
  }

  SnapshotManifest(long term, long index, List<FileEntry> files) {
    this(FORMAT_VERSION, term, index, files);
  }

  private SnapshotManifest(int formatVersion, long term, long index, List<FileEntry> files) {
    if (term < 0 || index < 0) {
      throw new IllegalArgumentException(
          "term (" + term + ") and index (" + index + ") must be >= 0");
    }
    Set<String> names = new HashSet<>();
    for (FileEntry f : files) {
      if (!names.add(f.name())) {
        throw new IllegalArgumentException("file '" + f.name() + "' listed twice");
      }
    }
    this.formatVersion = formatVersion;
    this.term = term;
    this.index = index;
    List<FileEntry> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(FileEntry::name));
    this.files = List.copyOf(sorted);
  }

  /** The manifest format version. */
  public int formatVersion() {
    return formatVersion;
  }

  /** The Raft term of the last entry the checkpoint reflects. */
  public long term() {
    return term;
  }

  /** The log index of the last entry the checkpoint reflects. */
  public long index() {
    return index;
  }

  /** The checkpoint's files, excluding the manifest itself, in name order. */
  public List<FileEntry> files() {
    return files;
  }

  /** The total size of the listed files, in bytes. */
  public long totalSizeBytes() {
    return files.stream().mapToLong(FileEntry::sizeBytes).sum();
  }

  /**
   * Reads the manifest of {@code checkpointDir}, checking its own checksum but not the files.
   *
   * @throws CorruptSnapshotException if the manifest is missing, unreadable, torn, malformed or of
   *     an unknown format version; the message names the manifest file
   */
  public static SnapshotManifest read(Path checkpointDir) {
    Path path = checkpointDir.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new CorruptSnapshotException(path, "snapshot manifest missing: " + path, e);
    } catch (IOException e) {
      throw new CorruptSnapshotException(
          path, "unreadable snapshot manifest " + path + ": " + e, e);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw unreadable(path, "not UTF-8 text", e);
    }
    return parse(path, text);
  }

  private static SnapshotManifest parse(Path path, String text) {
    if (!text.endsWith("\n")) {
      throw unreadable(path, "truncated (no final newline)", null);
    }
    int crcLine = text.lastIndexOf('\n', text.length() - 2) + 1;
    String last = text.substring(crcLine, text.length() - 1);
    if (!last.startsWith(CRC)) {
      throw unreadable(path, "truncated (no final crc= line)", null);
    }
    long expectedCrc = parseHex(path, last.substring(CRC.length()));
    long actualCrc = crc32c(text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8));
    if (expectedCrc != actualCrc) {
      throw unreadable(
          path,
          String.format(
              "checksum mismatch (content CRC32C %08x, crc line says %08x): torn or modified",
              actualCrc, expectedCrc),
          null);
    }

    String[] lines = text.substring(0, crcLine).split("\n", -1);
    // split leaves an empty string after the final newline.
    int n = lines.length - 1;
    if (n < 3 || !lines[0].startsWith(FORMAT)) {
      throw unreadable(path, "does not start with format=, term=, index= lines", null);
    }
    int format = (int) parseDecimal(path, lines[0], FORMAT);
    if (format != FORMAT_VERSION) {
      throw new CorruptSnapshotException(
          path,
          "unreadable snapshot manifest "
              + path
              + ": unknown format version "
              + format
              + " (this version reads "
              + FORMAT_VERSION
              + ")",
          null);
    }
    long term = parseDecimal(path, lines[1], TERM);
    long index = parseDecimal(path, lines[2], INDEX);
    List<FileEntry> files = new ArrayList<>(n - 3);
    for (int i = 3; i < n; i++) {
      files.add(parseFile(path, lines[i]));
    }
    try {
      return new SnapshotManifest(format, term, index, files);
    } catch (IllegalArgumentException e) {
      throw unreadable(path, e.getMessage(), e);
    }
  }

  private static FileEntry parseFile(Path path, String line) {
    if (!line.startsWith(FILE)) {
      throw unreadable(path, "unexpected line '" + line + "'", null);
    }
    String[] parts = line.substring(FILE.length()).split(" ", -1);
    if (parts.length != 3) {
      throw unreadable(path, "malformed line '" + line + "'", null);
    }
    try {
      return new FileEntry(parts[0], Long.parseLong(parts[1]), parseHex(path, parts[2]));
    } catch (IllegalArgumentException e) {
      throw unreadable(path, "malformed line '" + line + "': " + e.getMessage(), e);
    }
  }

  private static long parseDecimal(Path path, String line, String key) {
    if (!line.startsWith(key)) {
      throw unreadable(path, "expected " + key + " line, found '" + line + "'", null);
    }
    try {
      long v = Long.parseLong(line.substring(key.length()));
      if (v < 0) {
        throw new NumberFormatException("negative");
      }
      return v;
    } catch (NumberFormatException e) {
      throw unreadable(path, "malformed line '" + line + "'", e);
    }
  }

  private static long parseHex(Path path, String hex) {
    try {
      if (hex.isEmpty() || hex.length() > 8) {
        throw new NumberFormatException(hex);
      }
      return Long.parseLong(hex, 16);
    } catch (NumberFormatException e) {
      throw unreadable(path, "malformed checksum '" + hex + "'", e);
    }
  }

  private static CorruptSnapshotException unreadable(Path path, String what, Throwable cause) {
    return new CorruptSnapshotException(
        path, "unreadable snapshot manifest " + path + ": " + what, cause);
  }

  /**
   * Checks that every listed file is present in {@code checkpointDir} as a regular file with the
   * listed size and CRC32C. Files the manifest does not list (such as Ratis's {@code *.md5}
   * sidecars) are ignored.
   *
   * @throws CorruptSnapshotException naming the first offending file and what is wrong with it
   */
  public void verify(Path checkpointDir) {
    for (FileEntry f : files) {
      Path file = checkpointDir.resolve(f.name());
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        throw new CorruptSnapshotException(file, "snapshot file missing: " + file, e);
      } catch (IOException e) {
        throw new CorruptSnapshotException(file, "snapshot file unreadable: " + file + ": " + e, e);
      }
      if (!attrs.isRegularFile()) {
        throw new CorruptSnapshotException(
            file, "snapshot file " + file + " is not a regular file", null);
      }
      if (attrs.size() != f.sizeBytes()) {
        throw new CorruptSnapshotException(
            file,
            "snapshot file " + file + " has size " + attrs.size() + ", expected " + f.sizeBytes(),
            null);
      }
      long crc;
      try {
        crc = FsUtil.crc32c(file);
      } catch (IOException e) {
        throw new CorruptSnapshotException(file, "snapshot file unreadable: " + file + ": " + e, e);
      }
      if (crc != f.crc32c()) {
        throw new CorruptSnapshotException(
            file,
            String.format(
                "snapshot file %s checksum mismatch: CRC32C %08x, expected %08x",
                file, crc, f.crc32c()),
            null);
      }
    }
  }

  /**
   * Writes this manifest as {@link #FILE_NAME} in {@code checkpointDir}, durably: through a
   * temporary file that is fsynced and then renamed over any previous manifest, followed by an
   * fsync of the directory.
   *
   * @throws StorageException on an I/O error
   */
  void write(Path checkpointDir) {
    StringBuilder sb = new StringBuilder();
    sb.append(FORMAT).append(formatVersion).append('\n');
    sb.append(TERM).append(term).append('\n');
    sb.append(INDEX).append(index).append('\n');
    for (FileEntry f : files) {
      sb.append(FILE)
          .append(f.name())
          .append(' ')
          .append(f.sizeBytes())
          .append(' ')
          .append(String.format("%08x", f.crc32c()))
          .append('\n');
    }
    long crc = crc32c(sb.toString().getBytes(StandardCharsets.UTF_8));
    sb.append(CRC).append(String.format("%08x", crc)).append('\n');

    Path target = checkpointDir.resolve(FILE_NAME);
    Path tmp = checkpointDir.resolve(FILE_NAME + ".tmp");
    try {
      Files.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8));
      FsUtil.fsyncFile(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      FsUtil.fsyncDir(checkpointDir);
    } catch (IOException e) {
      throw new StorageException("cannot write snapshot manifest " + target + ": " + e, e);
    }
  }

  private static long crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return crc.getValue();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SnapshotManifest m
        && formatVersion == m.formatVersion
        && term == m.term
        && index == m.index
        && files.equals(m.files);
  }

  @Override
  public int hashCode() {
    return Objects.hash(formatVersion, term, index, files);
  }

  @Override
  public String toString() {
    return "SnapshotManifest{term="
        + term
        + ", index="
        + index
        + ", "
        + files.size()
        + " files, "
        + totalSizeBytes()
        + " bytes}";
  }
}
