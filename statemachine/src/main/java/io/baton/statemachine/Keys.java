package io.baton.statemachine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Small helpers for building keys: UTF-8 strings, big-endian longs (which sort like the numbers for
 * non-negative values) and prefix bounds.
 *
 * @since 0.1
 */
public final class Keys {
  private Keys() {}

  /** The UTF-8 bytes of {@code s}. */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes UTF-8 bytes. */
  public static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The eight big-endian bytes of {@code value}. */
  public static byte[] longBytes(long value) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) value;
      value >>>= 8;
    }
    return b;
  }

  /**
   * Reads eight big-endian bytes; {@code null} reads as 0, so an absent counter starts at zero.
   *
   * @throws IllegalArgumentException if {@code bytes} is not 8 bytes long
   */
  public static long toLong(byte[] bytes) {
    if (bytes == null) {
      return 0;
    }
    if (bytes.length != 8) {
      throw new IllegalArgumentException("expected 8 bytes for a long, got " + bytes.length);
    }
    long v = 0;
    for (byte b : bytes) {
      v = (v << 8) | (b & 0xFF);
    }
    return v;
  }

  /** {@code a} followed by {@code b}. */
  public static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /**
   * The smallest key greater than every key that starts with {@code prefix}, or {@code null} (open
   * bound) if there is none, as for an empty prefix or one of only 0xFF bytes.
   */
  public static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if ((prefix[i] & 0xFF) != 0xFF) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }
}
