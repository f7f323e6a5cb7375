package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/*
 * A long-lived client across outages longer than its request timeout: its commands during the
 * outage fail with an outcome-unknown error (none hangs), and once the cluster serves again (a
 * client made afterwards writes) the same client writes again at once. Ratis closes a client's
 * ordered write stream when a write on it times out; without Baton renewing its Ratis client, every
 * later command failed at once with "SlidingWindow$Client ... is closed".
 */
/** A {@link BatonClient} writes again after a loss of quorum, a power loss, a leader partition. */
final class ClientAcrossOutagesTest {
  private static final Duration REQUEST_TIMEOUT = Duration.ofMillis(1500);

  @Test
  void lossOfQuorumLongerThanTheRequestTimeout() {
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient(REQUEST_TIMEOUT);
      client.submit(RegisterStateMachine.incr("c"));

      // Every node cut off from the others: the leader loses its majority, nothing commits.
      for (String id : List.of("n1", "n2", "n3")) {
        cluster.isolate(id);
      }
      List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        inFlight.add(client.submitAsync(RegisterStateMachine.incr("c")));
      }
      assertThatThrownBy(() -> client.submit(RegisterStateMachine.incr("c")))
          .isInstanceOf(BatonException.class);
      assertEndWithUnknownOutcome(inFlight);

      cluster.heal();
      assertWritesAgainOnceTheClusterServes(cluster, client);
    }
  }

  @Test
  void powerLossOfEveryNode() {
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient(REQUEST_TIMEOUT);
      client.submit(RegisterStateMachine.incr("c"));

      for (String id : List.of("n1", "n2", "n3")) {
        cluster.kill(id);
      }
      assertThatThrownBy(() -> client.submit(RegisterStateMachine.incr("c")))
          .isInstanceOf(BatonException.class);

      cluster.startAll();
      cluster.awaitLeader();
      assertWritesAgainOnceTheClusterServes(cluster, client);
    }
  }

  @Test
  void leaderPartitionedForLongerThanTheRequestTimeout() {
    // WAN detection (1-2 s) makes the failover outlast a 1 s request timeout.
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .stateMachines(id -> new RegisterStateMachine())
            .failureDetection(FailureDetection.WAN)
            .start()) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient(Duration.ofSeconds(1));
      client.submit(RegisterStateMachine.incr("c"));

      cluster.isolate(leader.id());
      assertThatThrownBy(() -> client.submit(RegisterStateMachine.incr("c")))
          .isInstanceOf(BatonException.class);

      cluster.awaitLeaderAmong(cluster.followerIds(leader));
      assertWritesAgainOnceTheClusterServes(cluster, client);
      cluster.heal();
    }
  }

  /** Each future ends, exceptionally, with an error that says the outcome is unknown. */
  private static void assertEndWithUnknownOutcome(List<CompletableFuture<byte[]>> futures) {
    for (CompletableFuture<byte[]> f : futures) {
      Awaitility.await("a command sent during the outage to end")
          .atMost(REQUEST_TIMEOUT.plusSeconds(2))
          .until(f::isDone);
      assertThat(f).isCompletedExceptionally();
      assertThatThrownBy(f::join)
          .hasCauseInstanceOf(BatonException.class)
          .hasMessageContaining("outcome unknown");
    }
  }

  /**
   * Waits until a client made now writes (the cluster serves), then requires {@code client} to
   * write within a second of that.
   */
  private static void assertWritesAgainOnceTheClusterServes(
      LocalCluster cluster, BatonClient client) {
    BatonClient fresh = cluster.newClient(REQUEST_TIMEOUT);
    Awaitility.await("a new client to write")
        .atMost(LocalCluster.WAIT)
        .ignoreExceptions()
        .until(() -> fresh.submit(RegisterStateMachine.incr("fresh")) != null);
    Awaitility.await("the long-lived client to write again")
        .atMost(1, TimeUnit.SECONDS)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> client.submit(RegisterStateMachine.incr("c")) != null);
    assertThat(Keys.toLong(client.query(RegisterStateMachine.counter("fresh")))).isPositive();
  }
}
