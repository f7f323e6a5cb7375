package io.baton.internal.ratis;

import io.baton.statemachine.StateMachine;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/*
 * The leader checks every application command before it enters the log: its size, then the
 * application's validate (CommandPath.rejection). A refused single command never enters the log.
 * A batch is validated command by command. Accepted commands are logged as sent; a refused one is
 * logged as a REJECTED item carrying its reason, so its place in the batch, and the reply its
 * sender receives, are the same on every replica. The whole batch is refused only if it is
 * malformed or too large for one log entry.
 */
/** Decides on the leader which application commands enter the log. Not API. */
final class CommandAdmission {
  private final StateMachine app;
  private final int maxCommandBytes;

  CommandAdmission(StateMachine app, int maxCommandBytes) {
    this.app = app;
    this.maxCommandBytes = maxCommandBytes;
  }

  /** Why the leader refuses {@code command}, if it does. */
  Optional<String> rejection(byte[] command) {
    if (command.length > maxCommandBytes) {
      return Optional.of(
          "command is "
              + command.length
              + " bytes; the maximum is "
              + maxCommandBytes
              + " (NodeConfig.maxCommandBytes)");
    }
    return Optional.ofNullable(CommandPath.rejection(app, command));
  }

  /**
   * Checks the batch {@code body} (what follows the kind byte {@code kind}) command by command.
   *
   * @return the batch to log instead, with refused commands rewritten as REJECTED items, or empty
   *     if it is logged as sent
   * @throws RejectedCommandException if the whole batch is refused
   */
  Optional<ByteString> admitBatch(byte kind, ByteString body) throws RejectedCommandException {
    long limit = maxBatchBytes();
    if (body.size() > limit) {
      throw new RejectedCommandException(
          "batch is " + body.size() + " bytes; the maximum is " + limit);
    }
    List<CommandBatch.Item> items;
    try {
      items = CommandBatch.decode(kind, body);
    } catch (IllegalArgumentException e) {
      throw new RejectedCommandException(e.getMessage());
    }
    boolean rewritten = false;
    for (int i = 0; i < items.size(); i++) {
      CommandBatch.Item item = items.get(i);
      if (item.rejected()) {
        throw new RejectedCommandException("batch item " + i + " is marked rejected by a client");
      }
      Optional<String> rejection = rejection(item.bytes());
      if (rejection.isPresent()) {
        items.set(i, CommandBatch.Item.rejected(rejection.get()));
        rewritten = true;
      }
    }
    return rewritten ? Optional.of(CommandBatch.encode(kind, items)) : Optional.empty();
  }

  /*
   * The largest batch the leader logs: one entry must fit the appender's buffer, which is at least
   * 4 MiB and at least maxCommandBytes plus 64 KiB (RaftConfig.appenderBufferBytes). Clients send
   * batches of at most 256 KiB.
   */
  private long maxBatchBytes() {
    return Math.max(maxCommandBytes, 1L << 20);
  }
}
