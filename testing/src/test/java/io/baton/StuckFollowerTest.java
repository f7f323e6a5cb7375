package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.statemachine.Role;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that answers its leader but takes no entries is reported STUCK by the admin, with the
 * index it stopped at, and converges once entries reach it again. DEFAULT timers (FAST ones, on a
 * busy two-core machine, add elections that have nothing to do with this); the stuck threshold is
 * lowered to one second through its system property.
 */
final class StuckFollowerTest {
  @TempDir Path dir;

  @BeforeEach
  void shortThreshold() {
    System.setProperty("baton.stuckFollowerAfterMs", "1000");
  }

  @AfterEach
  void defaultThreshold() {
    System.clearProperty("baton.stuckFollowerAfterMs");
  }

  @Test
  void followerInContactButTakingNoEntries_isShownStuck_thenConvergesAndIsNoLongerStuck() {
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .baseDir(dir)
            .failureDetection(FailureDetection.DEFAULT)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      client.submit(RegisterStateMachine.put("before", "1"));
      cluster.awaitConverged();
      String follower = cluster.followerIds(leader).get(0);
      BatonAdmin admin = cluster.admin();
      assertThat(member(admin.status(), follower).stuck()).isFalse();

      cluster.starve(follower);
      for (int i = 0; i < 20; i++) {
        client.submit(RegisterStateMachine.put("k" + i, "v" + i));
      }

      AtomicReference<ClusterStatus> seen = new AtomicReference<>();
      cluster.await(
          "the admin to show " + follower + " stuck",
          LocalCluster.WAIT,
          () -> {
            seen.set(admin.status());
            return member(seen.get(), follower).stuck();
          });
      MemberStatus stuck = member(seen.get(), follower);
      assertThat(stuck.role()).isEqualTo(Role.FOLLOWER);
      assertThat(stuck.stuckForMillis()).isGreaterThanOrEqualTo(1000);
      assertThat(stuck.stuckAtIndex())
          .isLessThan(member(seen.get(), seen.get().leaderId().orElseThrow()).commitIndex());
      assertThat(stuck.lastContactMillis()).isBetween(0L, 1000L);

      cluster.heal();

      cluster.awaitConverged();
      cluster.await(
          "the admin to show " + follower + " no longer stuck",
          LocalCluster.WAIT,
          () -> !member(admin.status(), follower).stuck());
    }
  }

  private static MemberStatus member(ClusterStatus status, String id) {
    return status.members().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }
}
