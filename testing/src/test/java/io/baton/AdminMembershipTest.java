package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Role;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership changes online: grow, shrink, replace, listeners (warm standby). */
final class AdminMembershipTest {
  @TempDir Path dir;

  /** Writes unique keys until stopped; records what was acknowledged and every error. */
  static final class Writer implements AutoCloseable {
    final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final AtomicInteger count = new AtomicInteger();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Writer(BatonClient client, String prefix) {
      thread =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  String key = prefix + i;
                  try {
                    client.submit(RegisterStateMachine.put(key, "v" + i));
                    acked.add(key);
                    count.incrementAndGet();
                  } catch (RuntimeException e) {
                    errors.add(e);
                  }
                }
              },
              "writer-" + prefix);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(60_000);
    }
  }

  static void assertAllPresent(BatonClient client, Iterable<String> keys) {
    for (String key : keys) {
      byte[] v = client.query(RegisterStateMachine.get(key));
      assertThat(new String(v, StandardCharsets.UTF_8))
          .as("value of acknowledged key %s", key)
          .isNotEmpty();
    }
  }

  @Test
  void grow3To5_underWriteLoad_newNodesInstallSnapshotAndMatchTheLeader() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.snapshotPolicy(SnapshotPolicy.everyEntries(300)))) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      Peer n4 = cluster.spare("n4");
      Peer n5 = cluster.spare("n5");
      BatonAdmin admin = cluster.admin();
      try (Writer w = new Writer(client, "k")) {
        cluster.await(
            "1500 writes, several snapshots", LocalCluster.WAIT, () -> w.count.get() >= 1500);
        cluster.startJoining("n4");
        cluster.startJoining("n5");
        admin.addNode(n4);
        int afterN4 = w.count.get();
        cluster.await("writes continue", LocalCluster.WAIT, () -> w.count.get() >= afterN4 + 100);
        admin.addNode(n5);
        int afterN5 = w.count.get();
        cluster.await("writes continue", LocalCluster.WAIT, () -> w.count.get() >= afterN5 + 100);
        w.close();
        assertThat(w.errors).as("client errors during growth").isEmpty();

        ClusterStatus status = admin.status();
        assertThat(status.voters()).containsExactly("n1", "n2", "n3", "n4", "n5");
        assertThat(status.members()).allSatisfy(m -> assertThat(m.reachable()).isTrue());
        assertThat(cluster.node("n4").status().snapshotsInstalled())
            .as("n4 received the state by snapshot")
            .isGreaterThanOrEqualTo(1);
        assertThat(cluster.node("n5").status().snapshotsInstalled()).isGreaterThanOrEqualTo(1);

        StateDigest d = cluster.awaitConverged();
        assertThat(cluster.liveIds()).hasSize(5);
        assertThat(d.appliedIndex()).isPositive();
        assertAllPresent(client, w.acked);

        // A joined node restarts as the member it became (its data dir holds the configuration).
        cluster.stop("n4");
        cluster.restart("n4");
        cluster.await(
            "n4 follows again",
            LocalCluster.WAIT,
            () -> cluster.node("n4").status().role() == Role.FOLLOWER);
        client.submit(RegisterStateMachine.put("after-restart", "x"));
        cluster.awaitConverged();
      }
    }
  }

  @Test
  void shrink5To3_thenQuorumLosingRemovalsAreRefusedAndChangeNothing() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(5, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      BatonAdmin admin = cluster.admin();
      try (Writer w = new Writer(client, "k")) {
        cluster.await("some writes", LocalCluster.WAIT, () -> w.count.get() >= 200);
        admin.removeNodes(List.of("n4", "n5"), false);
        int after = w.count.get();
        cluster.await("writes continue", LocalCluster.WAIT, () -> w.count.get() >= after + 100);
        w.close();
        assertThat(w.errors).isEmpty();
      }
      assertThat(admin.status().voters()).containsExactly("n1", "n2", "n3");
      cluster.kill("n4");
      cluster.kill("n5");

      assertThatThrownBy(() -> admin.removeNodes(List.of("n2", "n3"), false))
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("half or more");

      String victim = cluster.awaitLeader().id().equals("n3") ? "n2" : "n3";
      String other = victim.equals("n3") ? "n2" : "n3";
      cluster.kill(victim);
      assertThatThrownBy(() -> admin.removeNode(other))
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("lose its quorum");
      assertThat(admin.status().voters()).containsExactly("n1", "n2", "n3");
      client.submit(RegisterStateMachine.put("still", "serving"));

      assertThatThrownBy(() -> admin.removeNode("n9"))
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("not a member");
    }
  }

  @Test
  void replaceKilledNode_inOneCall_replacementCatchesUp() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 300; i++) {
        client.submit(RegisterStateMachine.put("k" + i, "v" + i));
      }
      String dead = cluster.followerIds(leader).get(0);
      cluster.kill(dead);
      Peer n4 = cluster.spare("n4");
      BatonAdmin admin = cluster.admin();

      assertThatThrownBy(() -> admin.addNode(n4))
          .as("a node that is not running cannot be added")
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("join mode");
      assertThat(admin.status().voters()).hasSize(3).contains(dead);

      cluster.startJoining("n4");
      admin.replaceNode(dead, n4);
      List<String> voters = admin.status().voters();
      assertThat(voters).hasSize(3).contains("n4").doesNotContain(dead);
      client.submit(RegisterStateMachine.put("after", "replace"));
      cluster.awaitConverged();
      assertThat(cluster.node("n4").status().appliedIndex())
          .isEqualTo(cluster.awaitLeader().status().appliedIndex());
    }
  }

  @Test
  void listener_catchesUp_isPromoted_andSurvivesLeaderKill() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 200; i++) {
        client.submit(RegisterStateMachine.put("k" + i, "v" + i));
      }
      Peer n4 = cluster.spare("n4");
      cluster.startJoining("n4");
      BatonAdmin admin = cluster.admin();
      admin.addListener(n4);

      ClusterStatus status = admin.status();
      assertThat(status.listeners()).containsExactly("n4");
      assertThat(status.voters()).containsExactly("n1", "n2", "n3");
      assertThat(status.member("n4").orElseThrow().role()).isEqualTo(Role.LISTENER);
      client.submit(RegisterStateMachine.put("seen-by", "listener"));
      cluster.awaitConverged();

      admin.promote("n4");
      assertThat(admin.status().voters()).containsExactly("n1", "n2", "n3", "n4");

      BatonNode leader = cluster.awaitLeader();
      cluster.kill(leader.id());
      BatonNode next = cluster.awaitLeader();
      assertThat(next.id()).isNotEqualTo(leader.id());
      client.submit(RegisterStateMachine.put("after", "kill"));
      cluster.awaitConverged();

      // Demote back: n4 stops voting but keeps receiving the log.
      cluster.restart(leader.id());
      cluster.awaitConverged();
      admin.demote("n4");
      assertThat(admin.status().listeners()).containsExactly("n4");
      client.submit(RegisterStateMachine.put("after", "demote"));
      cluster.awaitConverged();
    }
  }

  @Test
  void coldStandby_nodeThatAppliedItsOwnRemoval_comesBackFromItsOldDataDirectory()
      throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 100; i++) {
        client.submit(RegisterStateMachine.put("old" + i, "v"));
      }
      String cold = cluster.followerIds(leader).get(0);
      BatonAdmin admin = cluster.admin();
      admin.removeNode(cold);
      // Unlike a node stopped at once, this one learns that its removal committed and closes its
      // replica of the group (role DOWN) before it is stopped.
      cluster.await(
          cold + " closed its group",
          LocalCluster.WAIT,
          () -> cluster.node(cold).status().role() == io.baton.statemachine.Role.DOWN);
      cluster.stop(cold);
      client.submit(RegisterStateMachine.put("new", "v"));

      cluster.startJoining(cold);
      Peer peer =
          cluster.peers().stream().filter(p -> p.id().equals(cold)).findFirst().orElseThrow();
      admin.addNode(peer);
      assertThat(admin.status().voters()).hasSize(3).contains(cold);
      cluster.awaitConverged();
    }
  }

  @Test
  void coldStandby_removedNodeComesBackFromItsOldDataDirectory() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.start(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.snapshotPolicy(SnapshotPolicy.everyEntries(200)))) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 100; i++) {
        client.submit(RegisterStateMachine.put("old" + i, "v"));
      }
      String cold = cluster.followerIds(leader).get(0);
      BatonAdmin admin = cluster.admin();
      admin.removeNode(cold);
      cluster.stop(cold); // its data directory is now the cold copy
      for (int i = 0; i < 600; i++) {
        client.submit(RegisterStateMachine.put("new" + i, "v"));
      }
      assertThat(admin.status().voters()).hasSize(2).doesNotContain(cold);

      cluster.startJoining(cold);
      Peer peer =
          cluster.peers().stream().filter(p -> p.id().equals(cold)).findFirst().orElseThrow();
      admin.addNode(peer);
      assertThat(admin.status().voters()).hasSize(3).contains(cold);
      client.submit(RegisterStateMachine.put("back", "again"));
      cluster.awaitConverged();
      assertAllPresent(client, List.of("old0", "old99", "new599", "back"));
    }
  }
}
