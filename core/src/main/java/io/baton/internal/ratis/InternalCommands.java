package io.baton.internal.ratis;

import io.baton.storage.ApplyBatch;
import io.baton.storage.RocksDbStateStore;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/*
 * Baton's own commands and queries, which travel through the log like the application's but are
 * never shown to it (Envelope.BATON): cluster settings, admin audit records and digest marks.
 * Each command commits an (often empty) batch, so the store's applied index moves with the log as
 * for application commands. An unknown operation is refused by the leader before it is logged; met
 * in the log it was written by a newer version, and skipping it would diverge from replicas that
 * understand it, so applying it fails.
 */
/** Validates, applies and answers Baton's internal commands and queries. Not API. */
final class InternalCommands {
  private final BatonStateMachineAdapter.Events events;
  private final DigestMarks digests;

  InternalCommands(BatonStateMachineAdapter.Events events, DigestMarks digests) {
    this.events = events;
    this.digests = digests;
  }

  /** Whether the leader may log the internal command {@code body} (what follows the kind byte). */
  static boolean isKnown(ByteString body) {
    if (body.isEmpty()) {
      return false;
    }
    byte op = body.byteAt(0);
    if (op == Envelope.OP_SETTINGS) {
      try {
        ClusterSettings.decode(Envelope.payload(body).toByteArray());
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    }
    return op == Envelope.OP_AUDIT || op == Envelope.OP_DIGEST_MARK;
  }

  /** Applies the internal command {@code body} logged at {@code index}; returns its reply. */
  byte[] apply(RocksDbStateStore store, ByteString body, long term, long index) {
    byte op = Envelope.op(body);
    byte[] payload = Envelope.payload(body).toByteArray();
    try (ApplyBatch batch = store.newBatch()) {
      if (op == Envelope.OP_SETTINGS) {
        ClusterSettings settings = ClusterSettings.decode(payload);
        batch.putMetadata(ClusterSettings.METADATA_NAME, payload);
        batch.commit(term, index);
        events.settingsChanged(settings);
      } else if (op == Envelope.OP_AUDIT) {
        batch.commit(term, index);
        events.adminAction(index, new String(payload, StandardCharsets.UTF_8));
      } else if (op == Envelope.OP_DIGEST_MARK) {
        digests.mark(store, index);
        batch.commit(term, index);
      } else {
        throw new IllegalStateException("unknown internal command " + op + " at index " + index);
      }
    }
    return new byte[0];
  }

  /** Answers the internal query {@code body} from {@code store}. */
  CompletableFuture<Message> query(RocksDbStateStore store, ByteString body) {
    byte op = Envelope.op(body);
    if (op == Envelope.Q_SETTINGS) {
      byte[] settings = store.metadata(ClusterSettings.METADATA_NAME).orElse(new byte[0]);
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(settings)));
    }
    if (op == Envelope.Q_STUCK) {
      return CompletableFuture.completedFuture(
          Message.valueOf(UnsafeByteOperations.unsafeWrap(events.stuckFollowers())));
    }
    if (op == Envelope.Q_DIGEST) {
      long index = Envelope.payload(body).asReadOnlyByteBuffer().getLong();
      Optional<CompletableFuture<String>> digest = digests.at(index);
      if (digest.isEmpty()) {
        return CompletableFuture.failedFuture(
            new StateMachineException(
                "no digest for index " + index + " on this replica",
                new RejectedQueryException(
                    "this replica did not apply the digest mark at index "
                        + index
                        + " itself (it restarted or received a snapshot since); run verify again"),
                false));
      }
      return digest
          .get()
          .thenApply(hex -> Message.valueOf(ByteString.copyFrom(hex, StandardCharsets.UTF_8)));
    }
    throw new IllegalArgumentException("unknown internal query " + op);
  }
}
