package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.VerifyResult;
import io.baton.internal.Deadline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.StateMachineException;

/*
 * A digest mark is an entry in the log: every replica computes the digest of its state just
 * before that entry, so the digests compare the same log prefix on every node although the nodes
 * apply at different times. Each replica is then asked for its digest at the mark's index, again
 * while it has not applied the mark yet, until the operation timeout.
 */
/** Verifies for the admin that every replica holds the same state, by digest. Not API. */
final class ReplicaVerifier {
  private final ClusterProbe probe;
  private final Consumer<String> progress;

  ReplicaVerifier(ClusterProbe probe, Consumer<String> progress) {
    this.probe = probe;
    this.progress = progress;
  }

  VerifyResult verify() {
    ClusterView v = probe.view();
    v.requireLeader();
    long index;
    try (RaftClient c = probe.leaderClient(v)) {
      RaftClientReply reply =
          c.io().send(Message.valueOf(Envelope.baton(Envelope.OP_DIGEST_MARK, new byte[0])));
      if (!reply.isSuccess()) {
        throw new BatonException("cannot append a digest mark: " + reply.getException());
      }
      index = reply.getLogIndex();
    } catch (IOException e) {
      throw new BatonException("cannot append a digest mark: " + ClusterProbe.describe(e), e);
    }
    progress.accept("digest mark at log index " + index + "; collecting replica digests");
    Map<String, CompletableFuture<String>> pending = new LinkedHashMap<>();
    for (RaftPeer p : v.members()) {
      pending.put(p.getId().toString(), probe.async(() -> digestOf(p, index)));
    }
    Map<String, String> digests = new LinkedHashMap<>();
    List<String> unreachable = new ArrayList<>();
    pending.forEach(
        (id, f) -> {
          try {
            digests.put(id, f.join());
          } catch (RuntimeException e) {
            progress.accept(id + ": no digest (" + e.getCause() + ")");
            unreachable.add(id);
          }
        });
    return new VerifyResult(index, digests, unreachable);
  }

  private String digestOf(RaftPeer peer, long index) {
    Duration operationTimeout = probe.operationTimeout();
    Deadline deadline = Deadline.after(operationTimeout);
    Exception last = null;
    while (!deadline.expired()) {
      try (RaftClient c = probe.singleNodeClient(peer, operationTimeout)) {
        RaftClientReply reply =
            c.io().sendStaleRead(Message.valueOf(Envelope.digestQuery(index)), index, peer.getId());
        if (reply.isSuccess()) {
          return reply.getMessage().getContent().toString(StandardCharsets.UTF_8);
        }
        last = reply.getException();
        if (last instanceof StateMachineException) {
          break; // the replica answered that it has no digest for the mark
        }
      } catch (IOException | RuntimeException e) {
        last = e;
      }
      ClusterProbe.pause(Duration.ofMillis(100)); // not yet committed there, or unreachable now
    }
    throw new BatonException(
        peer.getId() + ": " + (last == null ? "timeout" : ClusterProbe.describe(last)));
  }
}
