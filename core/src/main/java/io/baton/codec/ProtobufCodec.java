package io.baton.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.baton.statemachine.Codec;
import java.util.Objects;

/**
 * A {@link Codec} for protobuf messages, so commands, queries and replies can be protobuf types.
 *
 * <pre>{@code
 * Codec<KvCommand> commands = ProtobufCodec.of(KvCommand.parser());
 * }</pre>
 *
 * <p>Thread-safe. Protobuf's own compatibility rules apply: add fields, never renumber them, and
 * every replica can read commands written by a newer client.
 *
 * @param <T> the message type
 * @since 0.1
 */
public final class ProtobufCodec<T extends MessageLite> implements Codec<T> {
  private final Parser<T> parser;

  private ProtobufCodec(Parser<T> parser) {
    this.parser = parser;
  }

  /** A codec that parses with {@code parser}, such as {@code MyMessage.parser()}. */
  public static <T extends MessageLite> ProtobufCodec<T> of(Parser<T> parser) {
    return new ProtobufCodec<>(Objects.requireNonNull(parser, "parser"));
  }

  @Override
  public byte[] encode(T value) {
    return value.toByteArray();
  }

  /**
   * Parses {@code bytes}.
   *
   * @throws IllegalArgumentException if {@code bytes} is not a valid encoding of the message
   */
  @Override
  public T decode(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "malformed protobuf message (" + bytes.length + " bytes): " + e.getMessage(), e);
    }
  }
}
