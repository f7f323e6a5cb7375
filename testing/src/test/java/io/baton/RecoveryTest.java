package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.statemachine.Keys;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery and resynchronisation of a node that was down. */
final class RecoveryTest {
  @TempDir Path dir;

  private static void write(BatonClient client, String prefix, int count) {
    List<CompletableFuture<byte[]>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(client.submitAsync(RegisterStateMachine.put(prefix + i, "x".repeat(200) + i)));
    }
    futures.forEach(CompletableFuture::join);
  }

  @Test
  void restartedFollower_catchesUpFromItsOwnStoreAndTheLogTail_withoutSnapshot() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      write(client, "before-", 300);
      String follower = cluster.followerIds(leader).get(0);
      cluster.awaitConverged();
      long appliedAtKill = cluster.node(follower).status().appliedIndex();
      cluster.kill(follower);

      write(client, "during-", 300);
      BatonNode restarted = cluster.restart(follower);
      StateDigest digest = cluster.awaitConverged();

      assertThat(restarted.status().snapshotsInstalled()).as("snapshots installed").isZero();
      assertThat(appliedAtKill).isPositive();
      assertThat(digest.appliedIndex()).isGreaterThan(appliedAtKill);
      byte[] v =
          client.queryNode(follower, RegisterStateMachine.get("during-299"), ReadConsistency.STALE);
      assertThat(Keys.utf8(v)).endsWith("299");
    }
  }

  @Test
  void followerDownWhileLeaderSnapshotsAndPurges_catchesUpBySnapshotInstall() {
    try (LocalCluster cluster =
        LocalCluster.start(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.logSegmentSizeBytes(128 << 10).maxCommandBytes(16 << 10))) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newUnbatchedClient(); // entries past the purge gap
      write(client, "before-", 200);
      String follower = cluster.followerIds(leader).get(0);
      cluster.awaitConverged();
      cluster.kill(follower);

      // Enough entries to fill several closed log segments past the purge gap, then a snapshot:
      // the log the follower needs is deleted, so only a snapshot can bring it back.
      write(client, "during-", 2500);
      for (BatonNode n : cluster.liveNodes()) {
        n.takeSnapshot();
      }
      BatonNode restarted = cluster.restart(follower);
      StateDigest digest = cluster.awaitConverged();

      assertThat(restarted.status().snapshotsInstalled()).as("snapshots installed").isEqualTo(1);
      assertThat(restarted.status().lastSnapshotIndex()).isPositive();
      assertThat(digest.appliedIndex()).isGreaterThan(restarted.status().lastSnapshotIndex() - 1);
      byte[] v =
          client.queryNode(
              follower, RegisterStateMachine.get("during-2499"), ReadConsistency.STALE);
      assertThat(Keys.utf8(v)).endsWith("2499");
      byte[] count =
          client.queryNode(
              follower, "count".getBytes(StandardCharsets.UTF_8), ReadConsistency.STALE);
      assertThat(Keys.toLong(count)).isEqualTo(2700);

      // The installed state is durable: after another restart the node opens it from disk.
      cluster.kill(follower);
      write(client, "after-", 10);
      BatonNode again = cluster.restart(follower);
      cluster.awaitConverged();
      assertThat(again.status().snapshotsInstalled()).isZero();
    }
  }
}
