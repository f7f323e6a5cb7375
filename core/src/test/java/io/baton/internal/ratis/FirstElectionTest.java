package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's first election is Baton's to start: the election timer times a follower that knows no
 * leader, and before it starts an election it makes the node's gRPC channels reconnect at once
 * (PeerChannels, which reaches a package-private Ratis class). These tests run against the real
 * Ratis on the class path, so an upgrade that breaks either fails here.
 *
 * <p>Two of a three-member group run with Ratis's own first-election wait at a minute, so only
 * Baton's timer can elect a leader within the test's wait.
 */
final class FirstElectionTest {
  @TempDir Path dir;

  private TwoOfThreeServers cluster;
  private List<RaftServer> servers;

  @BeforeEach
  void startTwoOfThree() throws IOException {
    cluster =
        new TwoOfThreeServers(
            dir,
            p -> {
              RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
                  p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
              RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
                  p, TimeDuration.valueOf(61, TimeUnit.SECONDS));
            });
    servers = cluster.servers();
  }

  @AfterEach
  void stop() throws IOException {
    cluster.close();
  }

  @Test
  void thisRatisHasTheMethodChannelsAreResetWith() {
    assertThat(PeerChannels.supported()).isTrue();
  }

  @Test
  void reconnectNowReachesTheChannelToEveryOtherPeer() {
    RaftServer.Division d = division(servers.get(0)).orElseThrow();
    assertThat(PeerChannels.reconnectNow(d)).isEqualTo(2);
  }

  @Test
  void theTimerStartsTheFirstElectionOfAFollowerThatKnowsNoLeader() {
    RaftServer server = servers.get(0);
    try (ElectionTimer timer =
        new ElectionTimer(
            server.getId().toString(), () -> division(server), () -> false, 300, 400, 0)) {
      timer.start();

      await().atMost(Duration.ofSeconds(30)).until(() -> timer.electionsStarted() > 0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> servers.stream().anyMatch(s -> division(s).orElseThrow().getInfo().isLeader()));
    }
  }

  private Optional<RaftServer.Division> division(RaftServer server) {
    return cluster.division(server);
  }
}
