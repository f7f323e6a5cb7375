package io.baton.storage;

import java.nio.ByteBuffer;

/**
 * The Raft position of the last log entry reflected in a store: the entry's term and log index.
 *
 * @param term the Raft term of the entry (≥ 0)
 * @param index the log index of the entry (≥ 0); 0 means nothing has been applied
 */
public record AppliedIndex(long term, long index) {
  /** The position of a store to which nothing has been applied. */
  public static final AppliedIndex ZERO = new AppliedIndex(0, 0);

  /** Size of the persisted form: term then index, each eight bytes big-endian. */
  static final int BYTES = 16;

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if {@code term} or {@code index} is negative
   */
  public AppliedIndex {
    if (term < 0 || index < 0) {
      throw new IllegalArgumentException(
          "term (" + term + ") and index (" + index + ") must be >= 0");
    }
  }

  /** Whether this position comes strictly after {@code other}, comparing log indexes only. */
  public boolean isAfter(AppliedIndex other) {
    return index > other.index;
  }

  /** The persisted form: {@link #BYTES} bytes, term then index, big-endian. */
  byte[] toBytes() {
    return ByteBuffer.allocate(BYTES).putLong(term).putLong(index).array();
  }

  /**
   * Parses the persisted form; {@code null} (never written) reads as {@link #ZERO}.
   *
   * @throws StorageException if {@code bytes} is not {@link #BYTES} long
   */
  static AppliedIndex fromBytes(byte[] bytes) {
    if (bytes == null) {
      return ZERO;
    }
    if (bytes.length != BYTES) {
      throw new StorageException(
          "corrupt applied index: expected " + BYTES + " bytes, got " + bytes.length);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    return new AppliedIndex(buf.getLong(), buf.getLong());
  }
}
