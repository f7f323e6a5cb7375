package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.BatonException;
import io.baton.ReplyLostException;
import io.baton.internal.proto.BatchItemProto;
import io.baton.internal.proto.CommandBatchProto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wire format of command batches and their replies, and how malformed input is refused. */
final class CommandBatchTest {

  private static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteString body(CommandBatchProto proto) {
    return ByteString.copyFrom(proto.toByteArray());
  }

  @Test
  void encodeCommands_roundTripsInOrderIncludingEmptyAndLargeCommands() {
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      commands.add(i % 10 == 0 ? new byte[0] : utf8("command " + i));
    }
    commands.add(new byte[70_000]);

    ByteString message = CommandBatch.encodeCommands(commands);
    assertThat(message.byteAt(0)).as("kind byte").isEqualTo(Envelope.BATCH);
    List<CommandBatch.Item> items = CommandBatch.decode(Envelope.body(message));

    assertThat(items).hasSize(commands.size());
    for (int i = 0; i < commands.size(); i++) {
      assertThat(items.get(i).rejected()).isFalse();
      assertThat(items.get(i).bytes()).as("item %s", i).isEqualTo(commands.get(i));
    }
  }

  @Test
  void encode_isAProtobufCommandBatchAfterTheKindByte() throws Exception {
    ByteString message = CommandBatch.encodeCommands(List.of(utf8("a"), new byte[0]));

    CommandBatchProto proto = CommandBatchProto.parseFrom(Envelope.body(message).toByteArray());
    assertThat(proto.getItemsList())
        .extracting(BatchItemProto::getItemCase)
        .containsExactly(BatchItemProto.ItemCase.BYTES, BatchItemProto.ItemCase.BYTES);
    assertThat(proto.getItems(0).getBytes().toStringUtf8()).isEqualTo("a");
  }

  /** The replies in a batch reply of the format of {@code kind}. */
  private static List<CommandBatch.Item> decodeReply(byte kind, ByteString framed) {
    return kind == Envelope.LEGACY_BATCH
        ? LegacyCommandBatch.decodeReply(framed.substring(1))
        : CommandBatch.decodeReply(framed.substring(1));
  }

  @ParameterizedTest
  @ValueSource(bytes = {Envelope.BATCH, Envelope.LEGACY_BATCH})
  void encode_rejectedItems_keepTheirReason(byte kind) {
    List<CommandBatch.Item> items =
        List.of(
            CommandBatch.Item.command(utf8("a")),
            CommandBatch.Item.rejected("too big: ünïcode reason"),
            CommandBatch.Item.command(new byte[0]));

    ByteString message = CommandBatch.encode(kind, items);
    List<CommandBatch.Item> decoded = CommandBatch.decode(kind, Envelope.body(message));

    assertThat(message.byteAt(0)).as("kind byte").isEqualTo(kind);
    assertThat(decoded).extracting(CommandBatch.Item::rejected).containsExactly(false, true, false);
    assertThat(decoded.get(0).bytes()).isEqualTo(utf8("a"));
    assertThat(decoded.get(1).reason()).isEqualTo("too big: ünïcode reason");
    assertThat(decoded.get(2).bytes()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(bytes = {Envelope.BATCH, Envelope.LEGACY_BATCH})
  void encodeReply_okAndRejectedReplies_roundTrip(byte kind) {
    List<CommandBatch.Item> replies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(
          i % 3 == 0
              ? CommandBatch.Item.rejected("reason " + i)
              : CommandBatch.Item.command(i == 1 ? new byte[20_000] : utf8("reply " + i)));
    }

    List<CommandBatch.Item> decoded = decodeReply(kind, CommandBatch.encodeReply(kind, replies));

    assertThat(decoded).hasSize(300);
    for (int i = 0; i < 300; i++) {
      assertThat(decoded.get(i).rejected()).isEqualTo(i % 3 == 0);
      assertThat(decoded.get(i).bytes()).isEqualTo(replies.get(i).bytes());
    }
  }

  @Test
  void encode_noItems_isRefused() {
    assertThatThrownBy(() -> CommandBatch.encodeCommands(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 0 commands; a batch holds 1 to 65536");
    assertThatThrownBy(() -> CommandBatch.encodeReply(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply of 0 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_emptyBody_isRefusedAsHoldingNoCommands() {
    assertThatThrownBy(() -> CommandBatch.decode(ByteString.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 0 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_countAboveTheMaximum_isRefused() {
    CommandBatchProto.Builder b = CommandBatchProto.newBuilder();
    for (int i = 0; i <= CommandBatch.MAX_COMMANDS; i++) {
      b.addItems(BatchItemProto.newBuilder().setBytes(com.google.protobuf.ByteString.EMPTY));
    }

    assertThatThrownBy(() -> CommandBatch.decode(body(b.build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 65537 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_itemWithNeitherCase_isRefused() {
    CommandBatchProto proto =
        CommandBatchProto.newBuilder()
            .addItems(BatchItemProto.newBuilder().setBytes(com.google.protobuf.ByteString.EMPTY))
            .addItems(BatchItemProto.getDefaultInstance())
            .build();

    assertThatThrownBy(() -> CommandBatch.decode(body(proto)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch item 1 holds neither bytes nor a rejection");
  }

  @Test
  void decode_truncatedOrGarbage_isRefusedAsMalformed() {
    ByteString whole = Envelope.body(CommandBatch.encodeCommands(List.of(utf8("put k v"))));

    assertThatThrownBy(() -> CommandBatch.decode(whole.substring(0, whole.size() - 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("batch is malformed: ");
    assertThatThrownBy(() -> CommandBatch.decode(whole.concat(bytes(0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("batch is malformed: ");
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(0xFF)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("batch reply is malformed: ");
  }

  @Test
  void decodeByKind_readsEitherFormat_andRepliesInTheSame() {
    List<CommandBatch.Item> items =
        List.of(CommandBatch.Item.command(utf8("x")), CommandBatch.Item.rejected("no"));
    ByteString current = CommandBatch.encode(Envelope.BATCH, items);
    ByteString legacy = CommandBatch.encode(Envelope.LEGACY_BATCH, items);

    for (ByteString message : List.of(current, legacy)) {
      byte kind = Envelope.kind(message);
      assertThat(CommandBatch.isBatch(kind)).isTrue();
      List<CommandBatch.Item> decoded = CommandBatch.decode(kind, Envelope.body(message));
      assertThat(decoded).extracting(CommandBatch.Item::rejected).containsExactly(false, true);
      assertThat(decoded.get(0).bytes()).isEqualTo(utf8("x"));
    }
    assertThat(legacy.byteAt(0)).isEqualTo(Envelope.LEGACY_BATCH);
    assertThat(CommandBatch.encodeReply(Envelope.BATCH, items).byteAt(0)).isEqualTo(Replies.BATCH);
    assertThat(CommandBatch.encodeReply(Envelope.LEGACY_BATCH, items).byteAt(0))
        .isEqualTo(Replies.LEGACY_BATCH);
  }

  @Test
  void unframeBatch_wellFormedReply_returnsTheRepliesInOrder() {
    ByteString framed =
        CommandBatch.encodeReply(
            List.of(CommandBatch.Item.command(utf8("one")), CommandBatch.Item.rejected("no")));

    List<CommandBatch.Item> replies = CommandBatcher.unframeBatch(framed, 2);

    assertThat(replies.get(0).rejected()).isFalse();
    assertThat(replies.get(0).bytes()).isEqualTo(utf8("one"));
    assertThat(replies.get(1).rejected()).isTrue();
    assertThat(replies.get(1).reason()).isEqualTo("no");
  }

  @Test
  void unframeBatch_replyLost_saysTheRepliesWereLost() {
    ByteString lost = bytes(Replies.LOST);

    assertThatThrownBy(() -> CommandBatcher.unframeBatch(lost, 3))
        .isInstanceOf(ReplyLostException.class)
        .hasMessageContaining("commands were applied, but their replies were lost");
  }

  @Test
  void unframeBatch_wrongNumberOfReplies_isRefused() {
    ByteString framed =
        CommandBatch.encodeReply(
            List.of(
                CommandBatch.Item.command(new byte[0]), CommandBatch.Item.command(new byte[0])));

    assertThatThrownBy(() -> CommandBatcher.unframeBatch(framed, 3))
        .isInstanceOf(BatonException.class)
        .hasMessage("batch reply has 2 replies for 3 commands");
  }

  @Test
  void unframeBatch_emptyReply_isRefused() {
    assertThatThrownBy(() -> CommandBatcher.unframeBatch(ByteString.EMPTY, 2))
        .isInstanceOf(BatonException.class)
        .hasMessageContaining("batch reply is empty");
  }

  @Test
  void unframeBatch_plainReplyStatus_isRefused() {
    ByteString plain = bytes(Replies.OK, 'x');

    assertThatThrownBy(() -> CommandBatcher.unframeBatch(plain, 2))
        .isInstanceOf(BatonException.class)
        .hasMessage("batch reply has unexpected status 0");
  }

  @Test
  void unframeBatch_malformedBody_isRefusedNamingTheProblem() {
    ByteString truncated = bytes(Replies.BATCH, 2, 0, 0);

    assertThatThrownBy(() -> CommandBatcher.unframeBatch(truncated, 2))
        .isInstanceOf(BatonException.class)
        .hasMessageStartingWith(
            "malformed batch reply (outcome unknown): batch reply is malformed: ");
  }
}
