package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An abrupt stop ({@code closeAbruptly}, behind {@link LocalCluster#kill}) looks like a crash and
 * returns at once: the node is unreachable when the call returns, and the rest of its shutdown does
 * not hold the caller.
 */
final class AbruptCloseTest {
  @TempDir Path dir;

  @Test
  void killLeader_returnsUnreachableBeforeTheOthersElect_andTheNodeRestartsOnItsData() {
    // WAN timeouts: the survivors cannot elect before a second of silence has passed, which is the
    // bound the call is held to; Ratis's whole server close takes about as long or longer.
    try (LocalCluster cluster =
        LocalCluster.start(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.failureDetection(FailureDetection.WAN))) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("a", "1"));
      String id = leader.id();
      InetSocketAddress address =
          new InetSocketAddress(cluster.config(id).self().host(), cluster.config(id).self().port());
      List<String> survivors = cluster.followerIds(leader);

      BatonNode dying = cluster.detach(id);
      CompletableFuture<Boolean> reachableAfterReturn = new CompletableFuture<>();
      Thread killer =
          new Thread(
              () -> {
                LocalCluster.closeAbruptly(dying);
                reachableAfterReturn.complete(accepts(address));
              },
              "killer");
      killer.start();

      BatonNode newLeader = cluster.awaitLeaderAmong(survivors);
      assertThat(reachableAfterReturn)
          .as("closeAbruptly returned before the survivors elected a new leader")
          .isDone();
      assertThat(reachableAfterReturn.join()).as("the port accepts connections").isFalse();
      assertThat(newLeader.id()).isNotEqualTo(id);

      client.submit(RegisterStateMachine.put("b", "2"));
      BatonNode back = cluster.restart(id);
      cluster.await(
          id + " caught up after its restart",
          LocalCluster.WAIT,
          () -> back.status().appliedIndex() >= newLeader.status().commitIndex());
      cluster.awaitConverged();
    }
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void killAndRestartAtOnce_theRestartWaitsForTheOldInstanceToRelease() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("a", "1"));
      String id = leader.id();

      // The old instance is still closing in the background: the new one must not open its Raft
      // storage or its RocksDB store before it is done.
      cluster.kill(id);
      BatonNode back = cluster.restart(id);

      client.submit(RegisterStateMachine.put("b", "2"));
      BatonNode now = cluster.awaitLeader();
      cluster.await(
          id + " caught up after its restart",
          LocalCluster.WAIT,
          () -> back.status().appliedIndex() >= now.status().commitIndex());
      cluster.awaitConverged();
    }
  }
}
