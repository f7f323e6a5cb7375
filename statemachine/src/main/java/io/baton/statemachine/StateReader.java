package io.baton.statemachine;

/**
 * Read access to a replica's state: byte keys and values in named keyspaces, ordered by unsigned
 * lexicographic comparison of the keys.
 *
 * <p>Arrays passed in are not retained; arrays returned belong to the caller. A reader handed to
 * {@link StateMachine#query} or {@link StateMachine#open} is valid only during that call.
 *
 * @since 0.1
 */
public interface StateReader {
  /** The keyspace used by the methods that take no keyspace name. Always exists. */
  String DEFAULT_KEYSPACE = "default";

  /** The value of {@code key} in the default keyspace, or {@code null} if absent. */
  default byte[] get(byte[] key) {
    return get(DEFAULT_KEYSPACE, key);
  }

  /**
   * The value of {@code key} in {@code keyspace}, or {@code null} if absent.
   *
   * @throws IllegalArgumentException if the state machine did not declare {@code keyspace}
   */
  byte[] get(String keyspace, byte[] key);

  /**
   * Visits the entries of {@code keyspace} with {@code fromInclusive <= key < toExclusive} in key
   * order, until the visitor returns {@code false}. A {@code null} bound is open.
   *
   * @throws IllegalArgumentException if the state machine did not declare {@code keyspace}
   */
  void scan(String keyspace, byte[] fromInclusive, byte[] toExclusive, EntryVisitor visitor);

  /** Visits the entries of {@code keyspace} whose keys start with {@code prefix}, in key order. */
  default void scanPrefix(String keyspace, byte[] prefix, EntryVisitor visitor) {
    scan(keyspace, prefix, Keys.prefixEnd(prefix), visitor);
  }

  /** The log index of the last command reflected in this view of the state (0 before the first). */
  long appliedIndex();

  /** Receives entries during a scan. */
  @FunctionalInterface
  interface EntryVisitor {
    /**
     * Receives one entry; the arrays belong to the visitor.
     *
     * @return {@code true} to continue, {@code false} to stop the scan
     */
    boolean visit(byte[] key, byte[] value);
  }
}
