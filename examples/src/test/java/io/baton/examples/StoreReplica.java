package io.baton.examples;

import io.baton.statemachine.Command;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.storage.RocksDbStateStore;
import java.nio.file.Path;

/**
 * One replica without Raft: a state machine over a real {@link RocksDbStateStore}, applying
 * commands in the order given with increasing log indexes, as Baton's apply thread does. For unit
 * tests of state machines.
 */
public final class StoreReplica implements AutoCloseable {
  private final StateMachine stateMachine;
  private final RocksDbStateStore store;
  private long index;

  /** Opens a store in {@code dir} with the machine's keyspaces and opens the machine on it. */
  public StoreReplica(StateMachine stateMachine, Path dir) {
    this.stateMachine = stateMachine;
    this.store = RocksDbStateStore.open(dir, stateMachine.keyspaces());
    stateMachine.open(store.reader());
  }

  /** Validates, as the leader would, then applies {@code command}; returns the reply. */
  public byte[] submit(byte[] command) {
    stateMachine.validate(command);
    return apply(command);
  }

  /** Applies {@code command} at the next log index, skipping validation; returns the reply. */
  public byte[] apply(byte[] command) {
    index++;
    try (var batch = store.newBatch()) {
      byte[] reply = stateMachine.apply(Command.of(index, command), batch);
      batch.commit(1, index);
      return reply;
    }
  }

  /** Runs {@code query} against the committed state. */
  public byte[] query(byte[] query) {
    return stateMachine.query(query, store.reader());
  }

  /** The committed state. */
  public StateReader reader() {
    return store.reader();
  }

  /** The log index of the last applied command. */
  public long lastIndex() {
    return index;
  }

  /** The {@link Command#id()} of the last applied command. */
  public long lastCommandId() {
    return Command.of(index, new byte[0]).id();
  }

  @Override
  public void close() {
    store.close();
  }
}
