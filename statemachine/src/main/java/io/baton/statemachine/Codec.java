package io.baton.statemachine;

import java.nio.charset.StandardCharsets;

/**
 * Converts between typed values and the bytes Baton replicates, for commands, queries and replies.
 * Implementations must be deterministic and thread-safe. Baton's core module provides a protobuf
 * codec ({@code io.baton.codec.ProtobufCodec}).
 *
 * @param <T> the value type
 * @since 0.1
 */
public interface Codec<T> {

  /** Encodes {@code value}; never returns null. */
  byte[] encode(T value);

  /**
   * Decodes {@code bytes}.
   *
   * @throws IllegalArgumentException if {@code bytes} is not a valid encoding
   */
  T decode(byte[] bytes);

  /** UTF-8 strings. */
  static Codec<String> utf8() {
    return new Codec<>() {
      @Override
      public byte[] encode(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public String decode(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
      }
    };
  }

  /** Longs as eight big-endian bytes. */
  static Codec<Long> longs() {
    return new Codec<>() {
      @Override
      public byte[] encode(Long value) {
        return Keys.longBytes(value);
      }

      @Override
      public Long decode(byte[] bytes) {
        if (bytes == null || bytes.length != 8) {
          throw new IllegalArgumentException(
              "expected 8 bytes for a long, got " + (bytes == null ? "null" : bytes.length));
        }
        return Keys.toLong(bytes);
      }
    };
  }
}
