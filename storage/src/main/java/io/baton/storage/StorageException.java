package io.baton.storage;

/**
 * A failure of the state store: an I/O or RocksDB error, or a directory that cannot safely be used
 * as a store. Unchecked, because callers can rarely recover from it where it is thrown.
 */
public class StorageException extends RuntimeException {

  /** Creates an exception with {@code message}. */
  public StorageException(String message) {
    super(message);
  }

  /** Creates an exception with {@code message} caused by {@code cause}. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
