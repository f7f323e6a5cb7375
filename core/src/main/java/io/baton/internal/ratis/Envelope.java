package io.baton.internal.ratis;

import java.nio.ByteBuffer;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/*
 * Every command and query Baton sends through Ratis starts with one kind byte: APP for the
 * application's own bytes, which follow unchanged, BATCH for several application commands in one
 * entry (CommandBatch; commands only; LEGACY_BATCH in the first batch format), or BATON for Baton's internal operations (cluster settings,
 * admin audit records, digest marks), which the application never sees. For BATON the next byte
 * names the operation.
 */
/** The framing of messages sent through Ratis. Not API. */
final class Envelope {
  static final byte APP = 0;
  static final byte BATON = 1;

  /** A batch in the first, hand-framed format (LegacyCommandBatch): read, never sent. */
  static final byte LEGACY_BATCH = 2;

  /** A batch as a CommandBatchProto. */
  static final byte BATCH = 3;

  /** Internal commands. */
  static final byte OP_SETTINGS = 1;

  static final byte OP_AUDIT = 2;
  static final byte OP_DIGEST_MARK = 3;

  /** Internal queries. */
  static final byte Q_SETTINGS = 1;

  static final byte Q_DIGEST = 2;

  /** The followers the leader finds stuck (ReplicationWatch). */
  static final byte Q_STUCK = 3;

  private Envelope() {}

  /** The application's {@code bytes} behind an APP kind byte (one copy). */
  static ByteString app(byte[] bytes) {
    byte[] framed = new byte[bytes.length + 1];
    framed[0] = APP;
    System.arraycopy(bytes, 0, framed, 1, bytes.length);
    return UnsafeByteOperations.unsafeWrap(framed);
  }

  /** An internal operation {@code op} with {@code payload}. */
  static ByteString baton(byte op, byte[] payload) {
    byte[] framed = new byte[payload.length + 2];
    framed[0] = BATON;
    framed[1] = op;
    System.arraycopy(payload, 0, framed, 2, payload.length);
    return UnsafeByteOperations.unsafeWrap(framed);
  }

  static ByteString digestQuery(long index) {
    return baton(Q_DIGEST, ByteBuffer.allocate(Long.BYTES).putLong(index).array());
  }

  /**
   * The kind byte of {@code message}.
   *
   * @throws IllegalArgumentException if it is empty or of an unknown kind
   */
  static byte kind(ByteString message) {
    if (message.isEmpty()) {
      throw new IllegalArgumentException("empty message: no Baton kind byte (client too old?)");
    }
    byte kind = message.byteAt(0);
    if (kind != APP && kind != BATON && kind != BATCH && kind != LEGACY_BATCH) {
      throw new IllegalArgumentException(
          "unknown message kind " + kind + " (client and server versions differ?)");
    }
    return kind;
  }

  /** What follows the kind byte. */
  static ByteString body(ByteString message) {
    return message.substring(1);
  }

  /** The operation byte of an internal message's body. */
  static byte op(ByteString body) {
    if (body.isEmpty()) {
      throw new IllegalArgumentException("internal message without an operation byte");
    }
    return body.byteAt(0);
  }

  static ByteString payload(ByteString body) {
    return body.substring(1);
  }
}
