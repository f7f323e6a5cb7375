package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.BatonException;
import io.baton.ReplyLostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** The wire format of command batches and their replies, and how malformed input is refused. */
final class CommandBatchTest {

  private static ByteString bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return ByteString.copyFrom(b);
  }

  private static byte[] filled(int length, int seed) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Encodes {@code commands} as a batch and decodes the body back. */
  private static List<CommandBatch.Item> roundTrip(List<byte[]> commands) {
    ByteString message = CommandBatch.encodeCommands(commands);
    assertThat(message.byteAt(0)).as("kind byte").isEqualTo(Envelope.BATCH);
    assertThat(Envelope.kind(message)).isEqualTo(Envelope.BATCH);
    return CommandBatch.decode(Envelope.body(message));
  }

  private static void assertCommands(List<CommandBatch.Item> items, List<byte[]> expected) {
    assertThat(items).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(items.get(i).rejected()).as("item %s rejected", i).isFalse();
      assertThat(items.get(i).bytes()).as("item %s", i).isEqualTo(expected.get(i));
    }
  }

  @Test
  void encodeCommands_oneEmptyCommand_roundTrips() {
    List<byte[]> commands = List.of(new byte[0]);

    List<CommandBatch.Item> items = roundTrip(commands);

    assertCommands(items, commands);
    assertThat(CommandBatch.encodeCommands(commands).toByteArray())
        .as("kind, count 1, flag COMMAND, length 0")
        .containsExactly(Envelope.BATCH, 1, CommandBatch.COMMAND, 0);
  }

  @Test
  void encodeCommands_oneCommand_roundTrips() {
    List<byte[]> commands = List.of(utf8("put k v"));

    assertCommands(roundTrip(commands), commands);
  }

  @Test
  void encodeCommands_manyCommandsIncludingEmptyOnes_roundTripInOrder() {
    List<byte[]> commands = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      commands.add(i % 10 == 0 ? new byte[0] : utf8("command " + i));
    }

    // 1000 items: the count itself takes a two-byte varint.
    assertCommands(roundTrip(commands), commands);
  }

  @Test
  void encodeCommands_itemsNeedingMultiByteLengths_roundTrip() {
    // 127 fits one varint byte, 128 needs two, 16383 is the largest two-byte one, 16384 needs
    // three.
    List<byte[]> commands =
        List.of(
            filled(127, 1),
            filled(128, 2),
            filled(200, 3),
            filled(16_383, 4),
            filled(16_384, 5),
            filled(70_000, 6),
            new byte[0]);

    assertCommands(roundTrip(commands), commands);
  }

  @Test
  void encodeCommands_lengthVarints_areLittleEndianBase128() {
    ByteString message = CommandBatch.encodeCommands(List.of(filled(16_384, 0)));

    // kind, count 1, flag, then 16384 = 0x4000 as varint: 0x80 0x80 0x01.
    assertThat(Arrays.copyOf(message.toByteArray(), 6))
        .containsExactly(Envelope.BATCH, 1, CommandBatch.COMMAND, 0x80, 0x80, 0x01);
    assertThat(message.size()).isEqualTo(6 + 16_384);
  }

  @Test
  void encode_rejectedItems_keepTheirFlagAndReason() {
    List<CommandBatch.Item> items =
        List.of(
            CommandBatch.Item.command(utf8("a")),
            CommandBatch.Item.rejected("too big: ünïcode reason"),
            CommandBatch.Item.command(new byte[0]));

    List<CommandBatch.Item> decoded =
        CommandBatch.decode(Envelope.body(CommandBatch.encode(items)));

    assertThat(decoded).extracting(CommandBatch.Item::rejected).containsExactly(false, true, false);
    assertThat(decoded.get(0).bytes()).isEqualTo(utf8("a"));
    assertThat(decoded.get(1).reason()).isEqualTo("too big: ünïcode reason");
    assertThat(decoded.get(2).bytes()).isEmpty();
  }

  @Test
  void encodeReply_okAndRejectedReplies_roundTrip() {
    List<CommandBatch.Item> replies =
        List.of(
            CommandBatch.Item.command(new byte[0]),
            CommandBatch.Item.rejected("expected 'put <key> <value>'"),
            CommandBatch.Item.command(filled(300, 7)),
            CommandBatch.Item.command(filled(20_000, 8)));

    ByteString framed = CommandBatch.encodeReply(replies);
    assertThat(framed.byteAt(0)).as("status byte").isEqualTo(Replies.BATCH);
    List<CommandBatch.Item> decoded = CommandBatch.decodeReply(framed.substring(1));

    assertThat(decoded).hasSize(4);
    for (int i = 0; i < replies.size(); i++) {
      assertThat(decoded.get(i).rejected())
          .as("reply %s rejected", i)
          .isEqualTo(replies.get(i).rejected());
      assertThat(decoded.get(i).bytes()).as("reply %s", i).isEqualTo(replies.get(i).bytes());
    }
    assertThat(decoded.get(1).reason()).isEqualTo("expected 'put <key> <value>'");
  }

  @Test
  void encodeReply_manyReplies_roundTrip() {
    List<CommandBatch.Item> replies = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      replies.add(
          i % 3 == 0
              ? CommandBatch.Item.rejected("reason " + i)
              : CommandBatch.Item.command(utf8("reply " + i)));
    }

    List<CommandBatch.Item> decoded =
        CommandBatch.decodeReply(CommandBatch.encodeReply(replies).substring(1));

    assertThat(decoded).hasSize(300);
    for (int i = 0; i < 300; i++) {
      assertThat(decoded.get(i).rejected()).isEqualTo(i % 3 == 0);
      assertThat(decoded.get(i).reason()).isEqualTo((i % 3 == 0 ? "reason " : "reply ") + i);
    }
  }

  @Test
  void encode_noItems_isRefused() {
    assertThatThrownBy(() -> CommandBatch.encodeCommands(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 65536 commands, not 0");
    assertThatThrownBy(() -> CommandBatch.encodeReply(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 0");
  }

  @Test
  void decode_emptyBody_isRefusedAsTruncated() {
    assertThatThrownBy(() -> CommandBatch.decode(ByteString.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_truncatedLength_isRefused() {
    // count 1, flag COMMAND, then a length whose continuation bit promises a byte that is missing.
    assertThatThrownBy(() -> CommandBatch.decode(bytes(1, 0, 0x80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_truncatedCount_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(0x81)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_lengthOfMoreThanFiveVarintBytes_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has a malformed length");
  }

  @Test
  void decode_lengthBeyondTheEnd_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(1, 0, 5, 'a', 'b')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch item 0 claims 5 bytes; 2 remain");
  }

  @Test
  void decode_negativeLength_isRefused() {
    // 0xFFFFFFFF as a five-byte varint: -1 as an int.
    assertThatThrownBy(() -> CommandBatch.decode(bytes(1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 0 claims -1 bytes");
  }

  @Test
  void decode_trailingBytes_areRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(1, 0, 1, 'a', 'x', 'y')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has 2 bytes after its last item");
  }

  @Test
  void decode_trailingBytesAfterAnEncodedBatch_areRefused() {
    ByteString body = Envelope.body(CommandBatch.encodeCommands(List.of(utf8("a"), utf8("b"))));

    assertThatThrownBy(() -> CommandBatch.decode(body.concat(bytes(0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has 1 bytes after its last item");
  }

  @Test
  void decode_countZero_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 0 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_countAboveTheMaximum_isRefused() {
    // 65537 = 0x10001 as a varint: 0x81 0x80 0x04.
    assertThatThrownBy(() -> CommandBatch.decode(bytes(0x81, 0x80, 0x04)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 65537 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_fewerItemsThanCounted_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(2, 0, 1, 'a')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch ends after 1 of 2 items");
  }

  @Test
  void decode_unknownFlag_isRefused() {
    assertThatThrownBy(() -> CommandBatch.decode(bytes(2, 0, 1, 'a', 7, 1, 'b')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch item 1 has unknown flag 7");
  }

  @Test
  void decodeReply_malformedInput_isRefusedNamingABatchReply() {
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply of 0 commands; a batch holds 1 to 65536");
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(1, 0, 3, 'a')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply item 0 claims 3 bytes; 1 remain");
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(1, 9, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply item 0 has unknown flag 9");
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(1, 0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply has 1 bytes after its last item");
    assertThatThrownBy(() -> CommandBatch.decodeReply(bytes(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply is truncated inside a length");
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
        .hasMessage("malformed batch reply (outcome unknown): batch reply ends after 1 of 2 items");
  }
}
