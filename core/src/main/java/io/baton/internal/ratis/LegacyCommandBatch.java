package io.baton.internal.ratis;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/*
 * The first format of command batches (Envelope.LEGACY_BATCH), framed by hand with varints. Batches
 * are now protobuf messages (CommandBatch); this one stays so that a node still applies the batches
 * an older version wrote into its log, and answers an older client in the format it reads.
 *
 * A batch message is the kind byte LEGACY_BATCH followed by:
 *   count (varint, 1..MAX_COMMANDS), then count times:
 *     flag (1 byte: COMMAND, or REJECTED once the leader refused it), length (varint), bytes
 * The reply to such a batch is the status byte Replies.LEGACY_BATCH followed by:
 *   count (varint), then count times: status (1 byte: OK or REJECTED), length (varint), bytes
 */
/** Decoding of command batches in the first, hand-framed format, and their replies. Not API. */
final class LegacyCommandBatch {
  static final int MAX_COMMANDS = CommandBatch.MAX_COMMANDS;

  static final byte COMMAND = 0;
  static final byte REJECTED = 1;

  private LegacyCommandBatch() {}

  /** A batch message of {@code items}, kind byte included. */
  static ByteString encode(List<CommandBatch.Item> items) {
    return frame(Envelope.LEGACY_BATCH, items);
  }

  /**
   * The items of a batch message's body (what follows the kind byte).
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not a well-formed batch
   */
  static List<CommandBatch.Item> decode(ByteString body) {
    return readItems(body, "batch");
  }

  /** The reply to a batch: one OK or REJECTED item per command, in order. */
  static ByteString encodeReply(List<CommandBatch.Item> replies) {
    return frame(Replies.LEGACY_BATCH, replies);
  }

  /** {@code first} (a kind or status byte), then the items. */
  private static ByteString frame(byte first, List<CommandBatch.Item> items) {
    int size = 1 + 5;
    for (CommandBatch.Item i : items) {
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
  static List<CommandBatch.Item> decodeReply(ByteString body) {
    return readItems(body, "batch reply");
  }

  private static void writeItems(ByteArrayOutputStream out, List<CommandBatch.Item> items) {
    if (items.isEmpty() || items.size() > MAX_COMMANDS) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_COMMANDS + " commands, not " + items.size());
    }
    writeVarint(out, items.size());
    for (CommandBatch.Item i : items) {
      out.write(i.rejected() ? REJECTED : COMMAND);
      writeVarint(out, i.bytes().length);
      out.write(i.bytes(), 0, i.bytes().length);
    }
  }

  private static List<CommandBatch.Item> readItems(ByteString body, String what) {
    int[] pos = {0};
    int count = readVarint(body, pos, what);
    if (count < 1 || count > MAX_COMMANDS) {
      throw new IllegalArgumentException(
          what + " of " + count + " commands; a batch holds 1 to " + MAX_COMMANDS);
    }
    List<CommandBatch.Item> items = new ArrayList<>(count);
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
      items.add(
          new CommandBatch.Item(
              flag == REJECTED, body.substring(pos[0], pos[0] + length).toByteArray()));
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
