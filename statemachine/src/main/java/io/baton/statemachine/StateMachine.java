package io.baton.statemachine;

import java.util.Set;

/**
 * The application's deterministic state machine, replicated by Baton on every node of a cluster.
 *
 * <p>Baton owns the state: it lives in a RocksDB store on each replica, and the application reads
 * and writes it only through the {@link StateReader} and {@link StateWriter} handed to these
 * methods. The application therefore never writes snapshot code. A snapshot is a checkpoint of that
 * store, and restoring one is opening it, after which Baton calls {@link #open} again.
 *
 * <p>Threading: {@link #apply} is called on one thread at a time per replica, in log order. {@link
 * #query} may run concurrently with {@link #apply} and sees a consistent view of the state as of
 * one applied index. {@link #validate} runs on the leader, concurrently with both.
 *
 * <p>A minimal counter:
 *
 * <pre>{@code
 * final class Counter implements StateMachine {
 *   static final byte[] KEY = Keys.utf8("count");
 *
 *   public byte[] apply(Command command, StateWriter state) {
 *     long next = Keys.toLong(state.get(KEY)) + Keys.toLong(command.bytes());
 *     state.put(KEY, Keys.longBytes(next));
 *     return Keys.longBytes(next);
 *   }
 *
 *   public byte[] query(byte[] query, StateReader state) {
 *     return Keys.longBytes(Keys.toLong(state.get(KEY)));
 *   }
 * }
 * }</pre>
 *
 * @since 0.1
 */
public interface StateMachine {

  /**
   * Names the keyspaces (RocksDB column families) this state machine uses besides {@link
   * StateReader#DEFAULT_KEYSPACE}. They are created when the store is first opened. Must return the
   * same set on every replica and every start; a keyspace may be added in a later version, never
   * removed.
   */
  default Set<String> keyspaces() {
    return Set.of();
  }

  /**
   * Opens the replica: called once at start, after the store is open and before the first {@link
   * #apply}, and again each time a snapshot from the leader replaced the whole state. Rebuild
   * in-memory caches from {@code state} here and forget any previous ones. Never concurrent with
   * {@link #apply}.
   */
  default void open(StateReader state) {}

  /**
   * Checks a command on the leader before it enters the log. Throw {@link IllegalArgumentException}
   * with a message for the caller to reject it: the command is then never logged or applied and the
   * client receives a {@code CommandRejectedException} carrying the message. This is where
   * malformed input belongs; {@link #apply} should only see commands that parse.
   *
   * <p>Must not read or write the replica's state (it has not been ordered yet); it may run
   * concurrently with {@link #apply} and {@link #query}. Baton does not retain {@code command}.
   */
  default void validate(byte[] command) {}

  /**
   * Applies one committed command. Called in log order, on one thread, on every replica.
   *
   * <p>Must be deterministic: the result and the writes may depend only on {@code command} and
   * {@code state}, never on clocks, randomness, thread timing or I/O outside {@code state}. Writes
   * made through {@code state} commit atomically with the command's log index; reads through it see
   * the writes of earlier commands, including those in the same not-yet-written batch.
   *
   * <p>Business failures (a compare-and-set that did not match, an unknown key) belong in the
   * returned reply. A thrown exception means a bug: Baton halts this replica rather than let it
   * diverge, and the cluster keeps going on the others.
   *
   * @return the reply sent to the client that submitted the command, or an empty array; never null
   */
  byte[] apply(Command command, StateWriter state);

  /**
   * Answers a read-only query from the current state. May run concurrently with {@link #apply} and
   * with other queries; must not modify anything. Throw {@link IllegalArgumentException} for a
   * malformed query: the client receives it as a {@code QueryRejectedException}.
   *
   * @return the reply, or an empty array; never null
   */
  byte[] query(byte[] query, StateReader state);
}
