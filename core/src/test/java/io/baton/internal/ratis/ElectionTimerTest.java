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
 * The election timer reaches one Ratis internal (RaftServerImpl.changeToCandidate). These tests run
 * it against the real Ratis on the class path, so an upgrade that removes or changes that method
 * fails here rather than silently slowing failure detection back to Ratis's own timer.
 *
 * <p>Two of a three-member group run, with Ratis's own election timeout at 1-2 s (heartbeats every
 * 500 ms). The timers under test use shorter timeouts than Ratis's but longer than a heartbeat
 * interval, so after the leader stops, only Baton's timer can be the first to start an election.
 */
final class ElectionTimerTest {
  @TempDir Path dir;

  private RaftGroup group;
  private final List<RaftServer> servers = new ArrayList<>();

  @BeforeEach
  void startTwoOfThree() throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (String id : List.of("n1", "n2", "n3")) {
      peers.add(RaftPeer.newBuilder().setId(id).setAddress(loopback()).build());
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
    return RaftServer.newBuilder()
        .setServerId(self.getId())
        .setGroup(group)
        .setProperties(p)
        .setStateMachine(new BaseStateMachine())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .build();
  }

  private static String loopback() throws IOException {
    return "127.0.0.1:" + LoopbackPorts.free();
  }
}
