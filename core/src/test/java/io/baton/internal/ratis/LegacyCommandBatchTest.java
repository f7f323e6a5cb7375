package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The first, hand-framed format of command batches and their replies, which a node still reads: old
 * bytes decode, and malformed input is refused.
 */
final class LegacyCommandBatchTest {

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

  /** A batch of {@code commands} in the first format, as an older client sent it. */
  private static ByteString legacy(List<byte[]> commands) {
    return LegacyCommandBatch.encode(commands.stream().map(CommandBatch.Item::command).toList());
  }

  /** Encodes {@code commands} as a batch and decodes the body back. */
  private static List<CommandBatch.Item> roundTrip(List<byte[]> commands) {
    ByteString message = legacy(commands);
    assertThat(message.byteAt(0)).as("kind byte").isEqualTo(Envelope.LEGACY_BATCH);
    assertThat(Envelope.kind(message)).isEqualTo(Envelope.LEGACY_BATCH);
    return LegacyCommandBatch.decode(Envelope.body(message));
  }

  private static void assertCommands(List<CommandBatch.Item> items, List<byte[]> expected) {
    assertThat(items).hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(items.get(i).rejected()).as("item %s rejected", i).isFalse();
      assertThat(items.get(i).bytes()).as("item %s", i).isEqualTo(expected.get(i));
    }
  }

  /*
   * Bytes the first version wrote, captured from its encoder: a batch of "put k v" and a command the
   * leader refused as "too big", and the reply to it. Log entries holding them must still apply.
   */
  private static final byte[] FIXTURE_BATCH = {
    2, 2, 0, 7, 'p', 'u', 't', ' ', 'k', ' ', 'v', 1, 7, 't', 'o', 'o', ' ', 'b', 'i', 'g'
  };
  private static final byte[] FIXTURE_REPLY = {
    2, 2, 0, 2, 'o', 'k', 1, 7, 't', 'o', 'o', ' ', 'b', 'i', 'g'
  };

  @Test
  void decode_bytesTheFirstVersionWrote_stillDecode() {
    ByteString message = ByteString.copyFrom(FIXTURE_BATCH);

    byte kind = Envelope.kind(message);
    List<CommandBatch.Item> items = CommandBatch.decode(kind, Envelope.body(message));

    assertThat(kind).isEqualTo(Envelope.LEGACY_BATCH);
    assertThat(items).extracting(CommandBatch.Item::rejected).containsExactly(false, true);
    assertThat(items.get(0).bytes()).isEqualTo(utf8("put k v"));
    assertThat(items.get(1).reason()).isEqualTo("too big");
    assertThat(LegacyCommandBatch.encode(items).toByteArray())
        .as("re-encoded by the legacy encoder")
        .isEqualTo(FIXTURE_BATCH);
  }

  @Test
  void encodeReply_answersALegacyBatchInTheFormatItsSenderReads() {
    List<CommandBatch.Item> replies =
        List.of(CommandBatch.Item.command(utf8("ok")), CommandBatch.Item.rejected("too big"));

    assertThat(CommandBatch.encodeReply(Envelope.LEGACY_BATCH, replies).toByteArray())
        .isEqualTo(FIXTURE_REPLY);
  }

  @Test
  void encodeCommands_oneEmptyCommand_roundTrips() {
    List<byte[]> commands = List.of(new byte[0]);

    List<CommandBatch.Item> items = roundTrip(commands);

    assertCommands(items, commands);
    assertThat(legacy(commands).toByteArray())
        .as("kind, count 1, flag COMMAND, length 0")
        .containsExactly(Envelope.LEGACY_BATCH, 1, LegacyCommandBatch.COMMAND, 0);
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
    ByteString message = legacy(List.of(filled(16_384, 0)));

    // kind, count 1, flag, then 16384 = 0x4000 as varint: 0x80 0x80 0x01.
    assertThat(Arrays.copyOf(message.toByteArray(), 6))
        .containsExactly(Envelope.LEGACY_BATCH, 1, LegacyCommandBatch.COMMAND, 0x80, 0x80, 0x01);
    assertThat(message.size()).isEqualTo(6 + 16_384);
  }

  @Test
  void encode_noItems_isRefused() {
    assertThatThrownBy(() -> legacy(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 65536 commands, not 0");
    assertThatThrownBy(() -> LegacyCommandBatch.encodeReply(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not 0");
  }

  @Test
  void decode_emptyBody_isRefusedAsTruncated() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(ByteString.EMPTY))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_truncatedLength_isRefused() {
    // count 1, flag COMMAND, then a length whose continuation bit promises a byte that is missing.
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(1, 0, 0x80)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_truncatedCount_isRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(0x81)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch is truncated inside a length");
  }

  @Test
  void decode_lengthOfMoreThanFiveVarintBytes_isRefused() {
    assertThatThrownBy(
            () -> LegacyCommandBatch.decode(bytes(1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has a malformed length");
  }

  @Test
  void decode_lengthBeyondTheEnd_isRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(1, 0, 5, 'a', 'b')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch item 0 claims 5 bytes; 2 remain");
  }

  @Test
  void decode_negativeLength_isRefused() {
    // 0xFFFFFFFF as a five-byte varint: -1 as an int.
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("item 0 claims -1 bytes");
  }

  @Test
  void decode_trailingBytes_areRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(1, 0, 1, 'a', 'x', 'y')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has 2 bytes after its last item");
  }

  @Test
  void decode_trailingBytesAfterAnEncodedBatch_areRefused() {
    ByteString body = Envelope.body(legacy(List.of(utf8("a"), utf8("b"))));

    assertThatThrownBy(() -> LegacyCommandBatch.decode(body.concat(bytes(0))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch has 1 bytes after its last item");
  }

  @Test
  void decode_countZero_isRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 0 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_countAboveTheMaximum_isRefused() {
    // 65537 = 0x10001 as a varint: 0x81 0x80 0x04.
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(0x81, 0x80, 0x04)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch of 65537 commands; a batch holds 1 to 65536");
  }

  @Test
  void decode_fewerItemsThanCounted_isRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(2, 0, 1, 'a')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch ends after 1 of 2 items");
  }

  @Test
  void decode_unknownFlag_isRefused() {
    assertThatThrownBy(() -> LegacyCommandBatch.decode(bytes(2, 0, 1, 'a', 7, 1, 'b')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch item 1 has unknown flag 7");
  }

  @Test
  void decodeReply_malformedInput_isRefusedNamingABatchReply() {
    assertThatThrownBy(() -> LegacyCommandBatch.decodeReply(bytes(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply of 0 commands; a batch holds 1 to 65536");
    assertThatThrownBy(() -> LegacyCommandBatch.decodeReply(bytes(1, 0, 3, 'a')))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply item 0 claims 3 bytes; 1 remain");
    assertThatThrownBy(() -> LegacyCommandBatch.decodeReply(bytes(1, 9, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply item 0 has unknown flag 9");
    assertThatThrownBy(() -> LegacyCommandBatch.decodeReply(bytes(1, 0, 0, 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply has 1 bytes after its last item");
    assertThatThrownBy(() -> LegacyCommandBatch.decodeReply(bytes(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch reply is truncated inside a length");
  }
}
