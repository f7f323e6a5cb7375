package io.baton.internal.ratis;

/*
 * Write replies carry a status byte before the body. A replica that skips an entry applied before
 * its restart has no reply for it (replies are not stored), yet Ratis puts whatever apply returns
 * into its retry cache: were that an empty success, a client retrying the command within 60 s on
 * this node, as new leader, would be told "done" with the wrong reply. LOST tells it the truth:
 * applied, reply unknown.
 *
 *   OK    the application's reply follows unchanged
 *   LOST  nothing follows: applied exactly once, reply unknown
 *   BATCH a batch's replies follow (CommandBatch)
 *   LEGACY_BATCH the replies to a batch of the first format follow (LegacyCommandBatch)
 *
 * Queries are answered without a status byte.
 */
/** The status bytes that open a write reply: the reply half of the wire format. Not API. */
final class Replies {
  static final byte OK = 0;
  static final byte LOST = 1;
  static final byte LEGACY_BATCH = 2;
  static final byte BATCH = 3;

  private Replies() {}
}
