package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
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

  private RaftGroup group;
  private final List<RaftServer> servers = new ArrayList<>();

  @BeforeEach
  void startTwoOfThree() throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3")) {
      peers.add(
          RaftPeer.newBuilder().setId(id).setAddress("127.0.0.1:" + LoopbackPorts.free()).build());
    }
    group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
    for (RaftPeer p : peers.subList(0, 2)) {
      RaftServer s = newServer(p);
      s.start();
      servers.add(s);
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (RaftServer s : servers) {
      s.close();
    }
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
    try {
      return Optional.of(server.getDivision(group.getGroupId()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private RaftServer newServer(RaftPeer self) throws IOException {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(self.getId().toString()).toFile()));
    GrpcConfigKeys.Server.setHost(p, "127.0.0.1");
    GrpcConfigKeys.Server.setPort(
        p, Integer.parseInt(self.getAddress().substring(self.getAddress().lastIndexOf(':') + 1)));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(
        p, TimeDuration.valueOf(60, TimeUnit.SECONDS));
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(
        p, TimeDuration.valueOf(61, TimeUnit.SECONDS));
    return RaftServer.newBuilder()
        .setServerId(self.getId())
        .setGroup(group)
        .setProperties(p)
        .setStateMachine(new BaseStateMachine())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .build();
  }
}
