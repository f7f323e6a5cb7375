package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault run that found stuck followers, in one JVM: FAST timers, a client writing continuously,
 * and ten rounds of killing a follower and restarting it. Every replica must end at the same state.
 * Stuck episodes seen on the way are counted from the admin's status and printed, so runs with
 * {@code -Dbaton.stuckFollowerRepair=false} show whether this Ratis gets stuck here.
 */
final class FollowerRestartRoundsTest {
  @TempDir Path dir;

  @BeforeEach
  void shortThreshold() {
    System.setProperty("baton.stuckFollowerAfterMs", "2000");
  }

  @AfterEach
  void defaultThreshold() {
    System.clearProperty("baton.stuckFollowerAfterMs");
  }

  @Test
  void tenKillRestartRoundsOfAFollower_underWrites_everyReplicaConverges() throws Exception {
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .baseDir(dir)
            .failureDetection(FailureDetection.FAST)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      BatonAdmin admin = cluster.admin();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger written = new AtomicInteger();
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; !stop.get(); i++) {
                  try {
                    client.submit(RegisterStateMachine.put("k" + (i % 500), "v" + i));
                    written.incrementAndGet();
                  } catch (RuntimeException e) {
                    // a write during an election may fail; the rounds only need load
                  }
                }
              },
              "writer");
      writer.start();
      Set<String> stuckSeen = ConcurrentHashMap.newKeySet();
      try {
        for (int round = 0; round < 10; round++) {
          BatonNode leader = cluster.awaitLeader();
          List<String> followers = cluster.followerIds(leader);
          String victim = followers.get(round % followers.size());
          int before = written.get();
          cluster.await(
              "writes before the kill", LocalCluster.WAIT, () -> written.get() > before + 50);
          cluster.kill(victim);
          int atKill = written.get();
          cluster.await(
              "writes while it is down", LocalCluster.WAIT, () -> written.get() > atKill + 100);
          cluster.restart(victim);
          admin.status().members().stream()
              .filter(MemberStatus::stuck)
              .forEach(m -> stuckSeen.add(m.id() + "@round" + m.stuckAtIndex()));
        }
        int afterRounds = written.get();
        cluster.await(
            "writes after the rounds", LocalCluster.WAIT, () -> written.get() > afterRounds + 200);
      } finally {
        stop.set(true);
        writer.join(Duration.ofSeconds(60).toMillis());
      }

      cluster.awaitConverged(Duration.ofSeconds(60));
      admin.status().members().stream()
          .filter(MemberStatus::stuck)
          .forEach(m -> stuckSeen.add(m.id() + "@end" + m.stuckAtIndex()));
      System.out.println("stuck followers seen during the rounds: " + stuckSeen);
      assertThat(cluster.liveIds()).hasSize(3);
    }
  }
}
