package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.baton.statemachine.Keys;
import io.baton.statemachine.Role;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An exception thrown by apply halts the replica instead of letting it diverge. */
final class HaltTest {
  @TempDir Path dir;

  @Test
  void applyThrows_replicasHalt_andAfterTheFixTheCommandIsAppliedOnTheStateBeforeIt() {
    AtomicBoolean fixed = new AtomicBoolean();
    try (LocalCluster cluster =
        LocalCluster.start(3, dir, id -> new RegisterStateMachine(fixed.get()))) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient(Duration.ofSeconds(3));
      client.submit(RegisterStateMachine.put("k", "v"));
      StateDigest before = cluster.awaitConverged();

      // The failure is deterministic, so every replica that applies the command halts at it. A
      // replica may never learn that it was committed (the leader halted before telling it), but
      // a majority applied it: the leader and the follower that acknowledged it.
      assertThatThrownBy(() -> client.submit("fail".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(BatonException.class);
      cluster.await(
          "a majority of replicas to halt",
          LocalCluster.WAIT,
          () ->
              cluster.liveNodes().stream().filter(n -> n.status().role() == Role.DOWN).count()
                  >= 2);
      for (BatonNode n : cluster.liveNodes()) {
        // Nothing after the failed command was applied anywhere (the index may include one
        // configuration or leader entry that carries no state).
        assertThat(n.status().appliedIndex()).isLessThan(before.appliedIndex() + 2);
      }
      assertThatThrownBy(() -> client.submit(RegisterStateMachine.put("k2", "v2")))
          .isInstanceOf(BatonException.class);

      // Deploy the fix: restart every node. The failed command is still in the log and is now
      // applied on top of the state each replica kept.
      fixed.set(true);
      for (String id : cluster.liveIds()) {
        cluster.kill(id);
      }
      cluster.startAll();
      cluster.awaitLeader();
      BatonClient after = cluster.newClient();
      after.submit(RegisterStateMachine.put("k2", "v2"));
      StateDigest converged = cluster.awaitConverged();
      assertThat(converged.appliedIndex()).isGreaterThan(before.appliedIndex());
      assertThat(Keys.utf8(after.query(RegisterStateMachine.get("k")))).isEqualTo("v");
      assertThat(Keys.toLong(after.query("count".getBytes(StandardCharsets.UTF_8)))).isEqualTo(2);
    }
  }
}
