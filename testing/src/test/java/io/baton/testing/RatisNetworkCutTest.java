package io.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.ReadConsistency;
import io.baton.statemachine.Keys;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM network cut: its reach into Ratis still matches Ratis, and a cut leader is replaced by
 * the majority and rejoins after the heal (Raft §5.2, §5.4).
 */
final class RatisNetworkCutTest {

  /** Fails when a Ratis upgrade renames or drops the injection points the cut relies on. */
  @Test
  void injectionPoints_areRatisServerConstants() throws ReflectiveOperationException {
    Class<?> server = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
    List<String> ratis = new ArrayList<>();
    for (String name :
        List.of("REQUEST_VOTE", "APPEND_ENTRIES", "INSTALL_SNAPSHOT", "START_LEADER_ELECTION")) {
      Field f = server.getDeclaredField(name);
      f.setAccessible(true);
      ratis.add((String) f.get(null));
    }
    assertThat(RatisNetworkCut.POINTS).isEqualTo(ratis);
  }

  @Test
  void cut_isSymmetricAndHealedPerNode() {
    try {
      RatisNetworkCut.cut(Set.of("x1"), Set.of("x2", "x3"));
      assertThat(RatisNetworkCut.isCut("x1", "x2")).isTrue();
      assertThat(RatisNetworkCut.isCut("x3", "x1")).isTrue();
      assertThat(RatisNetworkCut.isCut("x2", "x3")).isFalse();
      RatisNetworkCut.heal(Set.of("x2"));
      assertThat(RatisNetworkCut.isCut("x1", "x2")).isFalse();
      assertThat(RatisNetworkCut.isCut("x1", "x3")).isTrue();
    } finally {
      RatisNetworkCut.heal(Set.of("x1", "x2", "x3"));
    }
  }

  @Test
  void partition_leaderCutFromMajority_majorityElectsAndServesWrites_oldLeaderRejoinsOnHeal() {
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      BatonNode oldLeader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("before", "1"));
      cluster.awaitConverged();

      cluster.isolate(oldLeader.id());
      List<String> majority = cluster.followerIds(oldLeader);
      BatonNode newLeader = cluster.awaitLeaderAmong(majority);
      assertThat(newLeader.id()).isNotEqualTo(oldLeader.id());
      // A leader that cannot reach a majority steps down (Raft §6.2's check-quorum, in Ratis).
      cluster.await("the cut leader to step down", LocalCluster.WAIT, () -> !oldLeader.isLeader());

      client.submit(RegisterStateMachine.put("during", "2"));
      assertThat(
              Keys.utf8(
                  client.query(RegisterStateMachine.get("during"), ReadConsistency.LINEARIZABLE)))
          .isEqualTo("2");
      assertThat(
              client.queryNode(
                  oldLeader.id(), RegisterStateMachine.get("during"), ReadConsistency.STALE))
          .as("the cut node has not received the write")
          .isEmpty();

      cluster.heal();
      cluster.awaitConverged();
      assertThat(
              Keys.utf8(
                  client.queryNode(
                      oldLeader.id(), RegisterStateMachine.get("during"), ReadConsistency.STALE)))
          .isEqualTo("2");
      cluster.awaitLeader();
    }
  }
}
