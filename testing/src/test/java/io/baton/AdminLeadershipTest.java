package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.AdminMembershipTest.Writer;
import io.baton.statemachine.Command;
import io.baton.statemachine.Keys;
import io.baton.statemachine.Role;
import io.baton.statemachine.StateMachine;
import io.baton.statemachine.StateReader;
import io.baton.statemachine.StateWriter;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planned leadership moves: switchover, drain, failback; and the replica consistency check. */
final class AdminLeadershipTest {
  @TempDir Path dir;

  @Test
  void switchover_underLoad_endsWhereAsked_withNoClientError() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      BatonAdmin admin = cluster.admin();
      try (Writer w = new Writer(client, "k")) {
        cluster.await("writes", LocalCluster.WAIT, () -> w.count.get() >= 100);
        for (int round = 0; round < 3; round++) {
          BatonNode leader = cluster.awaitLeader();
          String target = cluster.followerIds(leader).get(round % 2);
          assertThat(admin.transferLeadership(target)).isEqualTo(target);
          assertThat(cluster.awaitLeader().id()).isEqualTo(target);
          int now = w.count.get();
          cluster.await("writes continue", LocalCluster.WAIT, () -> w.count.get() >= now + 50);
        }
        String best = admin.transferLeadership();
        assertThat(cluster.awaitLeader().id()).isEqualTo(best);
        w.close();
        assertThat(w.errors).as("client errors across switchovers").isEmpty();
        AdminMembershipTest.assertAllPresent(client, w.acked);
      }
      assertThatThrownBy(() -> admin.transferLeadership("n9"))
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("not a voter");
    }
  }

  @Test
  void drainedNode_neverLeads_evenWhenTheLeaderIsKilledOrItRestarts() throws Exception {
    Set<String> becameLeader = ConcurrentHashMap.newKeySet();
    LocalCluster cluster = LocalCluster.create(3, dir, id -> new RegisterStateMachine(), b -> b);
    for (String id : new String[] {"n1", "n2", "n3"}) {
      cluster.roleListener(
          id,
          change -> {
            if (change.role() == Role.LEADER) {
              becameLeader.add(id);
            }
          });
    }
    try (cluster) {
      cluster.startAll();
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      BatonAdmin admin = cluster.admin();

      // Draining the leader moves leadership away.
      String drained = leader.id();
      admin.drain(drained);
      assertThat(cluster.awaitLeader().id()).isNotEqualTo(drained);
      assertThat(admin.status().member(drained).orElseThrow().drained()).isTrue();
      becameLeader.remove(drained);

      for (int round = 0; round < 2; round++) {
        BatonNode current = cluster.awaitLeader();
        cluster.kill(current.id());
        if (round == 1) {
          cluster.stop(drained);
          cluster.restart(drained); // the drained flag is replicated: it survives a restart
        }
        // The other two can elect; the drained node keeps voting and replicating but never runs.
        cluster.await(
            "a leader other than the drained node",
            LocalCluster.WAIT,
            () -> cluster.liveNodes().stream().anyMatch(BatonNode::isLeader));
        cluster.restart(current.id());
        client.submit(RegisterStateMachine.put("round", Integer.toString(round)));
        cluster.awaitConverged();
        assertThat(cluster.awaitLeader().id()).isNotEqualTo(drained);
      }
      assertThat(becameLeader).doesNotContain(drained);
      assertThatThrownBy(() -> admin.transferLeadership(drained))
          .isInstanceOf(OperationRefusedException.class)
          .hasMessageContaining("drained");

      admin.undrain(drained);
      assertThat(admin.status().member(drained).orElseThrow().drained()).isFalse();
      assertThat(admin.transferLeadership(drained)).isEqualTo(drained);
      assertThat(cluster.awaitLeader().id()).isEqualTo(drained);
    }
  }

  @Test
  void failback_returnsToThePreferredNode_automaticallyOrOnlyWhenAsked() throws Exception {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      BatonAdmin admin = cluster.admin();
      admin.setPriority("n1", 2);
      cluster.await(
          "n1, the preferred node, leads", LocalCluster.WAIT, () -> cluster.node("n1").isLeader());

      cluster.kill("n1");
      BatonNode interim = cluster.awaitLeader();
      assertThat(interim.id()).isNotEqualTo("n1");
      client.submit(RegisterStateMachine.put("while", "n1 down"));
      long restarted = System.nanoTime();
      cluster.restart("n1");
      cluster.await(
          "automatic failback to n1", LocalCluster.WAIT, () -> cluster.node("n1").isLeader());
      System.out.printf(
          "failback: n1 leads again %d ms after its restart%n",
          (System.nanoTime() - restarted) / 1_000_000);

      admin.setAutoFailback(false);
      assertThat(admin.status().autoFailback()).isFalse();
      cluster.kill("n1");
      BatonNode other = cluster.awaitLeader();
      cluster.restart("n1");
      cluster.await(
          "n1 caught up",
          LocalCluster.WAIT,
          () -> cluster.node("n1").status().appliedIndex() >= other.status().commitIndex());
      // Ratis yields to a higher-priority follower when the leader sees it caught up. With the
      // third node down, a write commits only once n1 has acknowledged it: after two such writes
      // the leader has seen n1 caught up, so a failback would have begun (and moved the term).
      String third =
          cluster.followerIds(other).stream().filter(id -> !id.equals("n1")).findFirst().get();
      cluster.kill(third);
      long term = other.status().term();
      client.submit(RegisterStateMachine.put("probe", "1"));
      client.submit(RegisterStateMachine.put("probe", "2"));
      assertThat(cluster.awaitLeader().id())
          .as("no failback while it is off")
          .isEqualTo(other.id());
      assertThat(other.status().term()).isEqualTo(term);
      cluster.restart(third);

      assertThat(admin.failback()).isEqualTo("n1");
      assertThat(cluster.awaitLeader().id()).isEqualTo("n1");
      client.submit(RegisterStateMachine.put("after", "failback"));
      cluster.awaitConverged();
    }
  }

  @Test
  void verify_healthyCluster_everyReplicaHasTheSameDigestAtTheMark() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 100; i++) {
        client.submit(RegisterStateMachine.put("k" + i, "v" + i));
      }
      BatonAdmin admin = cluster.admin();
      VerifyResult r = admin.verify();
      assertThat(r.digests()).containsOnlyKeys("n1", "n2", "n3");
      assertThat(r.consistent()).isTrue();
      assertThat(r.divergent()).isEmpty();
      assertThat(r.unreachable()).isEmpty();
      assertThat(r.index()).isGreaterThan(100);

      cluster.kill("n3");
      VerifyResult partial =
          BatonAdmin.newBuilder()
              .peers(cluster.peers())
              .operationTimeout(Duration.ofSeconds(3))
              .build()
              .verify();
      assertThat(partial.unreachable()).containsExactly("n3");
      assertThat(partial.digests()).containsOnlyKeys("n1", "n2");
      assertThat(partial.consistent()).isTrue();
    }
  }

  @Test
  void verify_replicaWithNonDeterministicApply_isReportedDivergent() {
    // n3's state machine writes one extra key on every apply: what a machine that reads a clock,
    // a random number or a node-local setting would do. Nothing else can tell the replicas apart.
    try (LocalCluster cluster =
        LocalCluster.start(
            3,
            dir,
            id -> id.equals("n3") ? new SkewedStateMachine() : new RegisterStateMachine())) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 20; i++) {
        client.submit(RegisterStateMachine.put("k" + i, "v" + i));
      }
      VerifyResult r = cluster.admin().verify();
      assertThat(r.digests()).containsOnlyKeys("n1", "n2", "n3");
      assertThat(r.consistent()).isFalse();
      assertThat(r.divergent()).containsExactly("n3");
      assertThat(r.digests().get("n1")).isEqualTo(r.digests().get("n2"));
    }
  }

  /** A register that also records, on its own replica only, how many commands it applied. */
  private static final class SkewedStateMachine implements StateMachine {
    private final RegisterStateMachine delegate = new RegisterStateMachine();

    @Override
    public void validate(byte[] command) {
      delegate.validate(command);
    }

    @Override
    public byte[] apply(Command command, StateWriter state) {
      state.put(Keys.utf8("\0skew"), Keys.longBytes(command.index()));
      return delegate.apply(command, state);
    }

    @Override
    public byte[] query(byte[] query, StateReader state) {
      return delegate.query(query, state);
    }
  }

  @Test
  void status_fromOneFollowerSeed_findsTheLeaderAndEveryMember() {
    try (LocalCluster cluster = LocalCluster.start(3, dir, id -> new RegisterStateMachine())) {
      BatonNode leader = cluster.awaitLeader();
      cluster.newClient().submit(RegisterStateMachine.put("a", "b"));
      String follower = cluster.followerIds(leader).get(0);
      Peer seed =
          cluster.peers().stream().filter(p -> p.id().equals(follower)).findFirst().orElseThrow();
      try (BatonAdmin admin = BatonAdmin.connect(java.util.List.of(seed), "baton")) {
        ClusterStatus s = admin.status();
        assertThat(s.leaderId()).contains(leader.id());
        assertThat(s.voters()).containsExactly("n1", "n2", "n3");
        assertThat(s.member(leader.id()).orElseThrow().role()).isEqualTo(Role.LEADER);
      }
    }
  }
}
