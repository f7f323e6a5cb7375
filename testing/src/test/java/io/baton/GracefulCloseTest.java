package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.statemachine.Role;
import io.baton.statemachine.RoleChange;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A planned stop of the leader hands leadership over instead of leaving an election to chance. */
final class GracefulCloseTest {
  @TempDir Path dir;

  @Test
  void closeLeader_handsLeadershipToAFollowerBeforeStopping() {
    Map<String, List<RoleChange>> changes = new ConcurrentHashMap<>();
    // WAN timeouts (1-2 s) make the difference plain: without a handover nobody could even start
    // an election until a second after the leader went quiet.
    LocalCluster cluster =
        LocalCluster.create(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.failureDetection(FailureDetection.WAN));
    for (Peer p : cluster.peers()) {
      List<RoleChange> list = new CopyOnWriteArrayList<>();
      changes.put(p.id(), list);
      cluster.roleListener(p.id(), list::add);
    }
    try (cluster) {
      cluster.startAll();
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("a", "1"));
      long termBefore = leader.status().term();
      cluster.await(
          "LEADER delivered to " + leader.id(),
          LocalCluster.WAIT,
          () -> changes.get(leader.id()).stream().anyMatch(c -> c.role() == Role.LEADER));

      cluster.stop(leader.id());

      // The old leader learnt of its successor while it was still running: it stepped down to
      // FOLLOWER of a named leader before going DOWN. A crash goes straight to DOWN.
      List<Role> roles = changes.get(leader.id()).stream().map(RoleChange::role).toList();
      assertThat(roles).containsSubsequence(Role.LEADER, Role.FOLLOWER, Role.DOWN);
      RoleChange stepDown =
          changes.get(leader.id()).stream()
              .filter(c -> c.role() == Role.FOLLOWER && c.leaderId().isPresent())
              .filter(c -> c.term() >= termBefore)
              .reduce((a, b) -> b)
              .orElseThrow(() -> new AssertionError("no successor named: " + changes));
      String successor = stepDown.leaderId().get();
      assertThat(successor).isNotEqualTo(leader.id());

      BatonNode newLeader = cluster.awaitLeader();
      assertThat(newLeader.id()).isEqualTo(successor);
      assertThat(newLeader.status().term()).isEqualTo(termBefore + 1);
      client.submit(RegisterStateMachine.put("b", "2"));
    }
  }
}
