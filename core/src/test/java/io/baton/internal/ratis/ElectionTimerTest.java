package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.ratis.server.RaftServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The election timer reaches a Ratis internal (RaftServerImpl.changeToCandidate). These tests run
 * it against the real Ratis on the class path, so an upgrade that removes or changes that method
 * fails here rather than silently slowing failure detection back to Ratis's own timer.
 *
 * <p>Two of a three-member group run, with Ratis's own election timeout at 1-2 s (heartbeats every
 * 500 ms). The timers under test use shorter timeouts than Ratis's but longer than a heartbeat
 * interval, so after the leader stops, only Baton's timer can be the first to start an election.
 */
final class ElectionTimerTest {
  @TempDir Path dir;

  private TwoOfThreeServers cluster;
  private List<RaftServer> servers;

  @BeforeEach
  void startTwoOfThree() throws IOException {
    cluster = new TwoOfThreeServers(dir, p -> {});
    servers = cluster.servers();
  }

  @AfterEach
  void stop() throws IOException {
    cluster.close();
  }

  @Test
  void thisRatisHasTheMethodTheTimerStartsElectionsWith() {
    assertThat(ElectionTimer.supported()).isTrue();
  }

  @Test
  void startsAnElectionWhenTheLeaderFallsSilent() throws IOException {
    RaftServer follower = awaitFollowerOfALeader();
    try (ElectionTimer timer = timer(follower, false, 700, 750)) {
      timer.start();
      long before = timer.electionsStarted();

      leaderOf(follower).close();

      await().atMost(Duration.ofSeconds(30)).until(() -> timer.electionsStarted() > before);
    }
  }

  @Test
  void leavesANodeWhoseElectionsArePausedAlone() throws IOException {
    RaftServer follower = awaitFollowerOfALeader();
    try (ElectionTimer paused = timer(follower, true, 700, 700);
        ElectionTimer watcher = timer(follower, false, 900, 900)) {
      paused.start();
      watcher.start();
      long before = watcher.electionsStarted();

      leaderOf(follower).close();

      // The unpaused timer, due later than the paused one, proves an election was due meanwhile.
      await().atMost(Duration.ofSeconds(30)).until(() -> watcher.electionsStarted() > before);
      assertThat(paused.electionsStarted()).isZero();
    }
  }

  private ElectionTimer timer(RaftServer server, boolean paused, long minMs, long maxMs) {
    return new ElectionTimer(
        server.getId().toString(), () -> division(server), () -> paused, minMs, maxMs, 0);
  }

  private RaftServer awaitFollowerOfALeader() {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                servers.stream()
                    .filter(s -> division(s).map(d -> d.getInfo().isFollower()).orElse(false))
                    .filter(
                        s -> division(s).map(d -> d.getInfo().getLeaderId() != null).orElse(false))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private RaftServer leaderOf(RaftServer follower) {
    String leader = division(follower).orElseThrow().getInfo().getLeaderId().toString();
    return servers.stream()
        .filter(s -> s.getId().toString().equals(leader))
        .findFirst()
        .orElseThrow();
  }

  private Optional<RaftServer.Division> division(RaftServer server) {
    return cluster.division(server);
  }
}
