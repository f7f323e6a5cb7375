package io.baton.torture.check;

/** What an operation in a torture history does. */
public enum OpType {
  /** Register read: {@code result} is the value read, null if the key was absent. */
  READ,
  /** Register write (a kv put): {@code result} is the value it replaced, null if none. */
  WRITE,
  /**
   * Register compare-and-set of {@code expected} (null: absent) to {@code value}: {@code result} is
   * {@code "true"} or {@code "false"}.
   */
  CAS,
  /** Register delete: {@code result} is {@code "true"} if the key existed. */
  DELETE,
  /** Set add of the unique element {@code value}: {@code result} is the previous value, if any. */
  ADD,
  /** Set read: {@code elements} holds the elements seen. */
  READ_SET,
  /**
   * Counter increment by compare-and-set from {@code expected} (null: absent, i.e. zero) to {@code
   * value}: {@code result} is {@code "true"} or {@code "false"}.
   */
  INCREMENT,
  /** Counter read: {@code result} is the value read, null if absent (zero). */
  READ_COUNTER;

  /** Whether this operation only reads, so that one without a definite answer tells nothing. */
  public boolean isRead() {
    return this == READ || this == READ_SET || this == READ_COUNTER;
  }
}
