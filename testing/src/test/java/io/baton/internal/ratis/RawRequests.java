package io.baton.internal.ratis;

import static org.awaitility.Awaitility.await;

import io.baton.testing.LocalCluster;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;

/** Sends a raw Ratis request from a test until its reply is one the test can use. */
final class RawRequests {
  private RawRequests() {}

  /**
   * Sends {@code request} every 25 ms until a reply satisfies {@code accept}; connection errors (a
   * restarted node, a leader not yet ready) are retried.
   */
  static RaftClientReply sendUntil(
      RaftClient raw, RaftClientRequest request, Predicate<RaftClientReply> accept) {
    return await("an accepted reply to " + request)
        .atMost(LocalCluster.WAIT)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(25))
        .until(() -> trySend(raw, request).filter(accept), Optional::isPresent)
        .get();
  }

  private static Optional<RaftClientReply> trySend(RaftClient raw, RaftClientRequest request) {
    try {
      return Optional.of(raw.getClientRpc().sendRequest(request));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
