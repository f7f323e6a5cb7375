package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ReplicationRestart reaches Ratis internals (the leader's per-follower record and its match
 * index). These tests run it against the real Ratis on the class path, so an upgrade that moves
 * them fails here rather than silently leaving stuck followers unrepaired.
 *
 * <p>The stuck state is made the way the fault run found it: the leader believes a follower holds
 * entries that its log does not have (the follower was down while they were written, and the
 * leader's record of it claims them). Such a follower answers every heartbeat with "send from my
 * end", and Ratis answers by resending from its belief, so an idle group never repairs it.
 */
final class ReplicationRestartTest {
  @TempDir Path dir;

  private RaftGroup group;
  private final Map<String, RaftServer> servers = new LinkedHashMap<>();

  @BeforeEach
  void startThree() throws IOException {
    List<RaftPeer> peers = List.of(peer("n1"), peer("n2"), peer("n3"));
    group = RaftGroup.valueOf(RaftGroupId.randomId(), peers);
    for (RaftPeer p : peers) {
      start(p, RaftStorage.StartupOption.FORMAT);
    }
  }

  @AfterEach
  void stop() throws IOException {
    for (RaftServer s : servers.values()) {
      s.close();
    }
  }

  @Test
  void thisRatisHasTheInternalsTheRepairUses() {
    assertThat(ReplicationRestart.supported()).isTrue();
  }

  @Test
  void aFollowerBelowTheLeadersBeliefCatchesUpOnlyAfterTheRestart() throws Exception {
    RaftServer.Division leader = awaitLeader();
    String followerId = otherThan(leader.getId().toString());
    FollowerInfo record = makeStuck(leader, followerId);
    long leaderLast = leaderLast(leader);

    OptionalLong from = ReplicationRestart.restart(leader, followerId);

    assertThat(from).isPresent();
    assertThat(from.getAsLong()).isLessThanOrEqualTo(lastIndex(followerId) + 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> lastIndex(followerId) >= leaderLast && record.getMatchIndex() >= leaderLast);
  }

  @Test
  void theWatchFindsTheStuckFollowerOnAnIdleLeader_andRepairsIt() throws Exception {
    RaftServer.Division leader = awaitLeader();
    String followerId = otherThan(leader.getId().toString());
    FollowerInfo record = makeStuck(leader, followerId);
    long leaderLast = leaderLast(leader);

    try (ReplicationWatch watch =
        new ReplicationWatch(
            "leader", () -> Optional.of(leader), Duration.ofSeconds(1), Duration.ofSeconds(1))) {
      watch.start();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> lastIndex(followerId) >= leaderLast && record.getMatchIndex() >= leaderLast);
      assertThat(watch.episodes()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(30)).until(() -> watch.encodeStuck().length == 0);
    }
  }

  /**
   * Takes {@code followerId} down, writes entries it misses, makes the leader believe it has them,
   * and brings it back: it hears the leader and answers, yet stays behind.
   */
  private FollowerInfo makeStuck(RaftServer.Division leader, String followerId) throws Exception {
    RaftPeer followerPeer = group.getPeer(RaftPeerId.valueOf(followerId));
    write(5);
    await().atMost(Duration.ofSeconds(30)).until(() -> lastIndex(followerId) >= leaderLast(leader));

    servers.remove(followerId).close();
    write(20);
    long leaderLast = leaderLast(leader);
    FollowerInfo record = ReplicationRestart.follower(leader, followerId).orElseThrow();
    assertThat(ReplicationRestart.setMatchIndex(record, leaderLast)).isTrue();
    record.setNextIndex(leaderLast + 1);
    start(followerPeer, RaftStorage.StartupOption.RECOVER);

    await("the follower's log is back")
        .atMost(Duration.ofSeconds(30))
        .until(() -> lastIndex(followerId) >= 0);
    long heard = record.getLastRpcResponseTime().elapsedTimeMs();
    await("the leader hears the restarted follower")
        .atMost(Duration.ofSeconds(30))
        .until(() -> record.getLastRpcResponseTime().elapsedTimeMs() < heard);
    assertThat(lastIndex(followerId)).isLessThan(leaderLast);
    assertThat(record.getMatchIndex()).isEqualTo(leaderLast);
    return record;
  }

  @Test
  void doesNothingOnAFollower() {
    RaftServer.Division leader = awaitLeader();
    String followerId = otherThan(leader.getId().toString());

    assertThat(ReplicationRestart.restart(division(followerId).orElseThrow(), "n1")).isEmpty();
  }

  private RaftServer.Division awaitLeader() {
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                servers.keySet().stream()
                    .map(this::division)
                    .flatMap(Optional::stream)
                    .filter(d -> d.getInfo().isLeaderReady())
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private String otherThan(String id) {
    return servers.keySet().stream().filter(s -> !s.equals(id)).findFirst().orElseThrow();
  }

  private long lastIndex(String id) {
    return division(id)
        .map(d -> d.getRaftLog().getLastEntryTermIndex())
        .map(t -> t.getIndex())
        .orElse(-1L);
  }

  private static long leaderLast(RaftServer.Division leader) {
    return leader.getRaftLog().getLastEntryTermIndex().getIndex();
  }

  private void write(int n) throws IOException {
    try (RaftClient c =
        RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties()).build()) {
      for (int i = 0; i < n; i++) {
        assertThat(c.io().send(Message.valueOf("entry " + i)).isSuccess()).isTrue();
      }
    }
  }

  private Optional<RaftServer.Division> division(String id) {
    RaftServer s = servers.get(id);
    if (s == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(s.getDivision(group.getGroupId()));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private void start(RaftPeer self, RaftStorage.StartupOption option) throws IOException {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(dir.resolve(self.getId().toString()).toFile()));
    GrpcConfigKeys.Server.setHost(p, "127.0.0.1");
    GrpcConfigKeys.Server.setPort(
        p, Integer.parseInt(self.getAddress().substring(self.getAddress().lastIndexOf(':') + 1)));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(300, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(600, TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, "1ms,10, 100ms,100000");
    RaftServer s =
        RaftServer.newBuilder()
            .setServerId(self.getId())
            .setGroup(group)
            .setProperties(p)
            .setStateMachine(new EchoStateMachine())
            .setOption(option)
            .build();
    s.start();
    servers.put(self.getId().toString(), s);
  }

  private static RaftPeer peer(String id) {
    try {
      return RaftPeer.newBuilder()
          .setId(id)
          .setAddress("127.0.0.1:" + LoopbackPorts.free())
          .build();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Applies nothing, answers every command; enough for entries to commit. */
  private static final class EchoStateMachine extends BaseStateMachine {
    @Override
    public java.util.concurrent.CompletableFuture<Message> applyTransaction(
        org.apache.ratis.statemachine.TransactionContext trx) {
      updateLastAppliedTermIndex(trx.getLogEntry().getTerm(), trx.getLogEntry().getIndex());
      return java.util.concurrent.CompletableFuture.completedFuture(Message.valueOf("ok"));
    }
  }
}
