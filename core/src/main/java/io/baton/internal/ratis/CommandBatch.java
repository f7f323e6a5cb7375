package io.baton.internal.ratis;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.baton.internal.proto.BatchItemProto;
import io.baton.internal.proto.BatchReplyProto;
import io.baton.internal.proto.CommandBatchProto;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * A batch message is the kind byte Envelope.BATCH followed by a CommandBatchProto
 * (baton_internal.proto); its reply is the status byte Replies.BATCH followed by a BatchReplyProto.
 * A client sends only commands. The leader validates each command before logging the batch and
 * rewrites a refused one into a rejection carrying the reason, so that every replica skips it and
 * answers the same reason, deterministically, without running validate again.
 *
 * Batches of the first, hand-framed format (Envelope.LEGACY_BATCH) may still be in a log written by
 * an older version, or come from an older client: the format goes by the kind byte, and a batch is
 * rewritten and answered in its own format (LegacyCommandBatch).
 */
/** Encoding and decoding of command batches and their replies. Not API. */
final class CommandBatch {
  /** The most commands one batch may hold (see Command#id). */
  static final int MAX_COMMANDS = io.baton.statemachine.Command.MAX_PER_ENTRY;

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
    checkCount(items.size(), "batch");
    CommandBatchProto.Builder b = CommandBatchProto.newBuilder();
    items.forEach(i -> b.addItems(toProto(i)));
    return frame(Envelope.BATCH, b.build());
  }

  /**
   * The items of a batch message's body (what follows the kind byte).
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not a well-formed batch
   */
  static List<Item> decode(ByteString body) {
    CommandBatchProto batch;
    try {
      batch = CommandBatchProto.parseFrom(body.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("batch is malformed: " + e.getMessage(), e);
    }
    return fromProto(batch.getItemsList(), "batch");
  }

  /** The reply to a batch: one OK or REJECTED item per command, in order. */
  static ByteString encodeReply(List<Item> replies) {
    checkCount(replies.size(), "batch reply");
    BatchReplyProto.Builder b = BatchReplyProto.newBuilder();
    replies.forEach(i -> b.addReplies(toProto(i)));
    return frame(Replies.BATCH, b.build());
  }

  /**
   * The replies in a batch reply's body (what follows the status byte); a rejected item carries the
   * reason.
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not a well-formed reply
   */
  static List<Item> decodeReply(ByteString body) {
    BatchReplyProto reply;
    try {
      reply = BatchReplyProto.parseFrom(body.asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("batch reply is malformed: " + e.getMessage(), e);
    }
    return fromProto(reply.getRepliesList(), "batch reply");
  }

  /** Whether {@code kind} is a batch, in either format. */
  static boolean isBatch(byte kind) {
    return kind == Envelope.BATCH || kind == Envelope.LEGACY_BATCH;
  }

  /** The items of a batch body of {@code kind}, in its format. */
  static List<Item> decode(byte kind, ByteString body) {
    return kind == Envelope.LEGACY_BATCH ? LegacyCommandBatch.decode(body) : decode(body);
  }

  /** A batch message of {@code items}, in the format of {@code kind}. */
  static ByteString encode(byte kind, List<Item> items) {
    return kind == Envelope.LEGACY_BATCH ? LegacyCommandBatch.encode(items) : encode(items);
  }

  /** The reply to a batch of {@code kind}, in the format its sender reads. */
  static ByteString encodeReply(byte kind, List<Item> replies) {
    return kind == Envelope.LEGACY_BATCH
        ? LegacyCommandBatch.encodeReply(replies)
        : encodeReply(replies);
  }

  private static void checkCount(int count, String what) {
    if (count < 1 || count > MAX_COMMANDS) {
      throw new IllegalArgumentException(
          what + " of " + count + " commands; a batch holds 1 to " + MAX_COMMANDS);
    }
  }

  private static BatchItemProto toProto(Item i) {
    return i.rejected()
        ? BatchItemProto.newBuilder().setRejection(i.reason()).build()
        : BatchItemProto.newBuilder()
            .setBytes(com.google.protobuf.UnsafeByteOperations.unsafeWrap(i.bytes()))
            .build();
  }

  private static List<Item> fromProto(List<BatchItemProto> protos, String what) {
    checkCount(protos.size(), what);
    List<Item> items = new ArrayList<>(protos.size());
    for (int n = 0; n < protos.size(); n++) {
      BatchItemProto p = protos.get(n);
      items.add(
          switch (p.getItemCase()) {
            case BYTES -> Item.command(p.getBytes().toByteArray());
            case REJECTION -> Item.rejected(p.getRejection());
            case ITEM_NOT_SET ->
                throw new IllegalArgumentException(
                    what + " item " + n + " holds neither bytes nor a rejection");
          });
    }
    return items;
  }

  /** {@code first} (a kind or status byte), then {@code message}, in one array. */
  private static ByteString frame(byte first, MessageLite message) {
    byte[] framed = new byte[1 + message.getSerializedSize()];
    framed[0] = first;
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(framed, 1, framed.length - 1);
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + message.getClass().getSimpleName(), e);
    }
    return UnsafeByteOperations.unsafeWrap(framed);
  }
}
