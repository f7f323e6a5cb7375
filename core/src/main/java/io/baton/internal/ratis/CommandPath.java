package io.baton.internal.ratis;

import io.baton.statemachine.Command;
import io.baton.statemachine.StateMachine;
import io.baton.storage.ApplyBatch;
import io.baton.storage.RocksDbStateStore;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * The two calls a client command makes into the application's StateMachine: validate on the
 * leader before the command is logged, apply on every replica once it is committed. They live here,
 * apart from the Ratis plumbing of BatonStateMachineAdapter, so that io.baton.testing.DeterminismCheck
 * drives a state machine through exactly the code a replica runs rather than through a copy of it.
 */
/**
 * Validates and applies a client command as a Baton replica does. Used by {@link
 * BatonStateMachineAdapter} and {@code io.baton.testing.DeterminismCheck}. Not API.
 */
public final class CommandPath {
  // The adapter's logger: the lines logged here have always come from the adapter.
  private static final Logger LOG = LoggerFactory.getLogger(BatonStateMachineAdapter.class);

  private CommandPath() {}

  /**
   * Runs {@link StateMachine#validate} on {@code command} as the leader does before logging it.
   *
   * @return null if the command is accepted, or the rejection message the client receives: the
   *     message of an {@link IllegalArgumentException}, or, for any other {@link RuntimeException}
   *     (a bug in {@code validate}, logged here), its class name and message
   */
  public static String rejection(StateMachine app, byte[] command) {
    try {
      app.validate(command);
      return null;
    } catch (IllegalArgumentException e) {
      return String.valueOf(e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn("StateMachine.validate threw {}; rejecting the command", e.toString(), e);
      return "validate failed: " + e.getClass().getName() + ": " + e.getMessage();
    }
  }

  /**
   * Applies one committed command: calls {@link StateMachine#apply} with a new batch of {@code
   * store} and commits the batch with ({@code term}, {@code index}), so the writes and the applied
   * index land in one atomic write. Call on the replica's apply thread.
   *
   * @return the application's reply
   * @throws RuntimeException or {@link Error} as thrown by {@code apply} or by the store, and
   *     {@link NullPointerException} if {@code apply} returned null. The batch is then discarded:
   *     nothing of the command is written, and the caller must halt the replica.
   */
  public static byte[] apply(
      StateMachine app, RocksDbStateStore store, long term, long index, byte[] command) {
    try (ApplyBatch batch = store.newBatch()) {
      byte[] reply = applyOne(app, batch, Command.of(index, command));
      batch.commit(term, index);
      return reply;
    }
  }

  /**
   * Applies the commands of one batch entry in order, each seeing the writes of those before it,
   * and commits all their writes with ({@code term}, {@code index}) in one atomic write. Items the
   * leader rejected are skipped and answered with their reason.
   *
   * @return one reply item per item of {@code items}, in order
   * @throws RuntimeException or {@link Error} as {@link #apply} does; nothing of the batch is then
   *     written
   */
  static List<CommandBatch.Item> applyBatch(
      StateMachine app,
      RocksDbStateStore store,
      long term,
      long index,
      List<CommandBatch.Item> items) {
    List<CommandBatch.Item> replies = new ArrayList<>(items.size());
    try (ApplyBatch batch = store.newBatch()) {
      for (int position = 0; position < items.size(); position++) {
        CommandBatch.Item item = items.get(position);
        replies.add(
            item.rejected()
                ? item
                : CommandBatch.Item.command(
                    applyOne(app, batch, Command.of(index, position, item.bytes()))));
      }
      batch.commit(term, index);
    }
    return replies;
  }

  private static byte[] applyOne(StateMachine app, ApplyBatch batch, Command command) {
    byte[] reply = app.apply(command, batch);
    if (reply == null) {
      throw new NullPointerException("StateMachine.apply returned null (return new byte[0])");
    }
    return reply;
  }
}
