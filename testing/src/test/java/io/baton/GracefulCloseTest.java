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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A planned stop of the leader hands leadership over instead of leaving an election to chance. */
final class GracefulCloseTest {
  @TempDir Path dir;

  @Test
  void closeLeader_handsLeadershipToAFollowerBeforeStopping() {
    Map<String, List<RoleChange>> changes = new ConcurrentHashMap<>();
    // WAN timeouts (1-2 s) make the difference plain: without a handover nobody could even start
    // an election until a second after the leader went quiet.
    LocalCluster cluster = recordingRoles(changes);
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

  /*
   * The demo stops nodes one after another. A follower stopped a moment ago answered the leader
   * within the last election timeout and is as up to date as the live one, so a choice by recent
   * contact and commit index could pick it, and the transfer then timed out while every write was
   * refused. Each follower in turn is the stopped one, so whichever the leader would list first is
   * covered.
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 1})
  void closeLeader_rightAfterAFollowerStopped_handsLeadershipToTheLiveOne(int stoppedIndex) {
    Map<String, List<RoleChange>> changes = new ConcurrentHashMap<>();
    // WAN timeouts (1-2 s): the stopped follower still looks recently heard from for a second.
    LocalCluster cluster = recordingRoles(changes);
    try (cluster) {
      cluster.startAll();
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("a", "1"));
      List<String> followers = cluster.followerIds(leader).stream().sorted().toList();
      String stopped = followers.get(stoppedIndex);
      String live = followers.get(1 - stoppedIndex);
      cluster.await(
          "both followers caught up",
          LocalCluster.WAIT,
          () ->
              cluster.node(stopped).status().appliedIndex() >= leader.status().commitIndex()
                  && cluster.node(live).status().appliedIndex() >= leader.status().commitIndex());
      long termBefore = leader.status().term();

      cluster.kill(stopped);
      cluster.stop(leader.id());

      RoleChange stepDown =
          changes.get(leader.id()).stream()
              .filter(c -> c.role() == Role.FOLLOWER && c.leaderId().isPresent())
              .filter(c -> c.term() > termBefore)
              .reduce((a, b) -> b)
              .orElseThrow(
                  () -> new AssertionError("the leader handed over to nobody: " + changes));
      assertThat(stepDown.leaderId()).contains(live);
      assertThat(stepDown.term()).isEqualTo(termBefore + 1);

      // One of three voters is left: bring the stopped one back so the new leader has a majority.
      cluster.restart(stopped);
      client.submit(RegisterStateMachine.put("b", "2"));
    }
  }

  /** Three nodes with WAN timeouts, not started, whose role changes go into {@code changes}. */
  private LocalCluster recordingRoles(Map<String, List<RoleChange>> changes) {
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
    return cluster;
  }
}
