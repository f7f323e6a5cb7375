package io.baton.internal.ratis;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/*
 * Several client commands in one Raft log entry. A client that has commands waiting while earlier
 * ones are in flight sends them together (RatisBatonClient's batcher); Raft's cost is per entry
 * (a request, an append, a replication round, an fsync share, a retry-cache entry, a reply), so a
 * batch of n costs little more than one command. Each command keeps its own reply, and its own
 * exactly-once identity: the batch's (client id, call id) plus its position in the batch, since a
 * retry resends the whole batch under the same call id and the retry cache answers it whole.
 *
 * A batch message is the kind byte BATCH followed by:
 *   count (varint, 1..MAX_COMMANDS), then count times:
 *     flag (1 byte: COMMAND, or REJECTED once the leader refused it), length (varint), bytes
 * A client sends only COMMAND items. The leader validates each command before logging the batch and
 * rewrites a refused one into a REJECTED item carrying the reason (UTF-8), so that every replica
 * skips it and answers the same reason, deterministically, without running validate again.
 *
 * The reply to a batch is the status byte Replies.BATCH followed by:
 *   count (varint), then count times: status (1 byte: OK or REJECTED), length (varint), bytes
 */
/** Encoding and decoding of command batches and their replies. Not API. */
final class CommandBatch {
  /** The most commands one batch may hold (see Command#id). */
  static final int MAX_COMMANDS = io.baton.statemachine.Command.MAX_PER_ENTRY;

  static final byte COMMAND = 0;
  static final byte REJECTED = 1;

  /** One item of a batch: a command, or the reason the leader refused it. */
  @SuppressWarnings("ArrayRecordComponent") // carries bytes; never compared or hashed
  record Item(boolean rejected, byte[] bytes) {
    static Item command(byte[] bytes) {
      return new Item(false, bytes);
    }

    static Item rejected(String reason) {
      return new Item(true, reason.getBytes(StandardCharsets.UTF_8));
    }

    String reason() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private CommandBatch() {}

  /** A batch message of {@code commands}, kind byte included. */
  static ByteString encodeCommands(List<byte[]> commands) {
    List<Item> items = new ArrayList<>(commands.size());
    for (byte[] c : commands) {
      items.add(Item.command(c));
    }
    return encode(items);
  }

  /** A batch message of {@code items}, kind byte included. */
  static ByteString encode(List<Item> items) {
    return frame(Envelope.BATCH, items);
  }

  /**
   * The items of a batch message's body (what follows the kind byte).
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not a well-formed batch
   */
  static List<Item> decode(ByteString body) {
    return readItems(body, "batch");
  }

  /** The reply to a batch: one OK or REJECTED item per command, in order. */
  static ByteString encodeReply(List<Item> replies) {
    return frame(Replies.BATCH, replies);
  }

  /** {@code first} (a kind or status byte), then the items. */
  private static ByteString frame(byte first, List<Item> items) {
    int size = 1 + 5;
    for (Item i : items) {
      size += 1 + 5 + i.bytes().length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write(first);
    writeItems(out, items);
    return UnsafeByteOperations.unsafeWrap(out.toByteArray());
  }

  /**
   * The replies in a batch reply's body (what follows the status byte); a rejected item carries the
   * reason.
   */
  static List<Item> decodeReply(ByteString body) {
    return readItems(body, "batch reply");
  }

  private static void writeItems(ByteArrayOutputStream out, List<Item> items) {
    if (items.isEmpty() || items.size() > MAX_COMMANDS) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_COMMANDS + " commands, not " + items.size());
    }
    writeVarint(out, items.size());
    for (Item i : items) {
      out.write(i.rejected() ? REJECTED : COMMAND);
      writeVarint(out, i.bytes().length);
      out.write(i.bytes(), 0, i.bytes().length);
    }
  }

  private static List<Item> readItems(ByteString body, String what) {
    int[] pos = {0};
    int count = readVarint(body, pos, what);
    if (count < 1 || count > MAX_COMMANDS) {
      throw new IllegalArgumentException(
          what + " of " + count + " commands; a batch holds 1 to " + MAX_COMMANDS);
    }
    List<Item> items = new ArrayList<>(count);
    for (int n = 0; n < count; n++) {
      if (pos[0] >= body.size()) {
        throw new IllegalArgumentException(what + " ends after " + n + " of " + count + " items");
      }
      byte flag = body.byteAt(pos[0]++);
      if (flag != COMMAND && flag != REJECTED) {
        throw new IllegalArgumentException(what + " item " + n + " has unknown flag " + flag);
      }
      int length = readVarint(body, pos, what);
      if (length < 0 || length > body.size() - pos[0]) {
        throw new IllegalArgumentException(
            what
                + " item "
                + n
                + " claims "
                + length
                + " bytes; "
                + (body.size() - pos[0])
                + " remain");
      }
      items.add(new Item(flag == REJECTED, body.substring(pos[0], pos[0] + length).toByteArray()));
      pos[0] += length;
    }
    if (pos[0] != body.size()) {
      throw new IllegalArgumentException(
          what + " has " + (body.size() - pos[0]) + " bytes after its last item");
    }
    return items;
  }

  private static void writeVarint(ByteArrayOutputStream out, int value) {
    while ((value & ~0x7F) != 0) {
      out.write((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  private static int readVarint(ByteString in, int[] pos, String what) {
    int value = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      if (pos[0] >= in.size()) {
        throw new IllegalArgumentException(what + " is truncated inside a length");
      }
      byte b = in.byteAt(pos[0]++);
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException(what + " has a malformed length");
  }
}
