package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BatonNode.transferLeadership asked of a node that does not lead. */
final class TransferLeadershipTest {
  @TempDir Path dir;

  @Test
  void transferLeadership_onFollower_failsWithLeaderHintAndChangesNothing() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      BatonNode follower = cluster.node(cluster.followerIds(leader).get(0));
      cluster.await(
          "the follower knows the leader",
          LocalCluster.WAIT,
          () -> follower.leaderId().isPresent());

      NotLeaderException e =
          catchThrowableOfType(
              NotLeaderException.class,
              () -> follower.transferLeadership(follower.id(), Duration.ofSeconds(5)));

      assertThat(e).hasMessageContaining("is not the leader");
      assertThat(e.leaderHint()).contains(leader.id());
      assertThat(leader.isLeader()).as("the leader still leads").isTrue();
    }
  }
}
