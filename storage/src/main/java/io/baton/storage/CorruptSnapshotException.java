package io.baton.storage;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A snapshot (checkpoint directory) failed verification: its manifest is missing, torn or of an
 * unknown format, or a file it lists is missing or has the wrong size or checksum. The message
 * names the offending file and what is wrong with it.
 */
public final class CorruptSnapshotException extends StorageException {
  private final transient Path file;

  /** Creates an exception with {@code message}, not tied to one file. */
  public CorruptSnapshotException(String message) {
    this(null, message, null);
  }

  /** Creates an exception with {@code message} caused by {@code cause}, not tied to one file. */
  public CorruptSnapshotException(String message, Throwable cause) {
    this(null, message, cause);
  }

  /**
   * Creates an exception about {@code file}; {@code message} should already name it.
   *
   * @param file the offending file, or {@code null}
   * @param message what is wrong
   * @param cause the underlying failure, or {@code null}
   */
  public CorruptSnapshotException(Path file, String message, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /** The offending file, when the problem is tied to one. */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
