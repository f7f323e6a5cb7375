package io.baton.statemachine;

/**
 * Read and write access to a replica's state during {@link StateMachine#apply}. Writes become
 * durable atomically together with the command's log index; reads see earlier writes, including
 * uncommitted ones of the current batch.
 *
 * <p>Valid only during the {@code apply} call it was handed to. Not thread-safe: use it on the
 * apply thread only.
 *
 * @since 0.1
 */
public interface StateWriter extends StateReader {

  /** Sets {@code key} to {@code value} in the default keyspace. */
  default void put(byte[] key, byte[] value) {
    put(DEFAULT_KEYSPACE, key, value);
  }

  /**
   * Sets {@code key} to {@code value} in {@code keyspace}.
   *
   * @throws IllegalArgumentException if the state machine did not declare {@code keyspace}
   */
  void put(String keyspace, byte[] key, byte[] value);

  /** Removes {@code key} from the default keyspace; absent keys are ignored. */
  default void delete(byte[] key) {
    delete(DEFAULT_KEYSPACE, key);
  }

  /**
   * Removes {@code key} from {@code keyspace}; absent keys are ignored.
   *
   * @throws IllegalArgumentException if the state machine did not declare {@code keyspace}
   */
  void delete(String keyspace, byte[] key);
}
