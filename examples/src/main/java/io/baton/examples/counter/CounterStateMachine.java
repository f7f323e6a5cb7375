package io.baton.examples.counter;

import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;

/**
 * A replicated counter, the smallest useful {@link StateMachine}. A command is a delta as eight
 * big-endian bytes ({@link Keys#longBytes}); its reply, and the answer to any query, is the value
 * as eight big-endian bytes. The value wraps around on overflow, as Java's {@code long} does,
 * because an exception thrown from {@code apply} would halt every replica.
 *
 * <p>Stateless and thread-safe: the value lives in Baton's store under the key {@code count}.
 */
public final class CounterStateMachine implements StateMachine {
  private static final byte[] KEY = Keys.utf8("count");

  @Override
  public void validate(byte[] command) {
    if (command.length != 8) {
      throw new IllegalArgumentException(
          "counter command must be 8 bytes (a big-endian long delta), got " + command.length);
    }
  }

  @Override
  public byte[] apply(Command command, StateWriter state) {
    long next = Keys.toLong(state.get(KEY)) + Keys.toLong(command.bytes());
    state.put(KEY, Keys.longBytes(next));
    return Keys.longBytes(next);
  }

  @Override
  public byte[] query(byte[] query, StateReader state) {
    return Keys.longBytes(Keys.toLong(state.get(KEY)));
  }
}
