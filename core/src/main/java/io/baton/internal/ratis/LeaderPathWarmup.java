package io.baton.internal.ratis;

import io.baton.NodeConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Why a node rehearses leadership. The first time a JVM's Raft server becomes leader, Ratis loads,
 * links and initialises the leader's whole machinery: the leader state and its event processor,
 * pending-request and watch tables, one log appender per follower with its gRPC stream, the
 * leader's metrics, the client request path. Measured with three `baton node` processes on two
 * cores, that took 95-380 ms between "changes role from CANDIDATE to LEADER" and the first
 * AppendEntries, against about 5 ms on a server that had led before. Ratis counts a new leader's
 * time in office from the role change, so with FAST (50-100 ms) such a leader had sent nothing
 * when its majority check ran, stepped down (LOST_MAJORITY_HEARTBEATS) and a second election
 * followed: two terms and 800-1,000 ms per failover instead of one term and a few hundred. Every
 * node is a first-time leader at some point: after a rolling restart, none has led.
 *
 * So once per JVM, after the node has learnt of a leader (the cluster is formed and the node is
 * not needed for its first election), a background thread starts two throwaway Raft servers on
 * loopback with the node's own settings and a temporary directory, lets one of them lead, sends a
 * write and a linearizable read through a Raft client, transfers the leadership to the other, writes
 * again and stops them. The classes, call sites and JIT profiles that run are the same ones the real
 * server runs when it first leads. It costs a few hundred milliseconds of CPU once, and nothing
 * when baton.leaderWarmup=false (for measurements).
 */
/** Rehearses the leader's code path once per JVM on throwaway servers. Not API. */
final class LeaderPathWarmup {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderPathWarmup.class);
  private static final AtomicBoolean STARTED = new AtomicBoolean();
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);
  private static final long WARMUP_TIMEOUT_MIN_MS = 500;

  private LeaderPathWarmup() {}

  /** Whether nodes rehearse leadership ({@code -Dbaton.leaderWarmup=false} turns it off). */
  static boolean enabled() {
    return !"false".equals(System.getProperty("baton.leaderWarmup"));
  }

  /**
   * Starts the rehearsal on a daemon thread, unless it ran or started before in this JVM or is
   * switched off. The thread first waits (checking every 100 ms, for up to a minute) until {@code
   * leader} names another node; it does nothing if it names this node (which then has run the path
   * for real) and gives up if {@code nodeClosed} holds first.
   */
  static void startOnce(
      NodeConfig config, Supplier<Optional<String>> leader, BooleanSupplier nodeClosed) {
    if (!enabled() || !STARTED.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
              Optional<String> known = leader.get();
              while (known.isEmpty()) {
                if (nodeClosed.getAsBoolean() || System.nanoTime() > deadline) {
                  STARTED.set(false); // let a later node of this JVM try
                  return;
                }
                sleep(100);
                known = leader.get();
              }
              if (known.get().equals(config.id())) {
                return;
              }
              try {
                Duration took = run(config);
                LOG.info(
                    "Node {} rehearsed the leader path in {} ms", config.id(), took.toMillis());
              } catch (Exception | LinkageError e) {
                LOG.info(
                    "Node {} could not rehearse the leader path ({}); its first term as leader"
                        + " may start slower",
                    config.id(),
                    e.toString());
              }
            },
            "baton-leader-warmup-" + config.id());
    t.setDaemon(true);
    t.start();
  }

  /** Runs the rehearsal on this thread and returns how long it took until the second write. */
  static Duration run(NodeConfig config) throws IOException, InterruptedException {
    long start = System.nanoTime();
    Path dir = Files.createTempDirectory("baton-warmup-");
    RaftGroup group = group(config);
    List<RaftServer> servers = new ArrayList<>();
    try {
      for (RaftPeer peer : group.getPeers()) {
        RaftServer server =
            RaftServer.newBuilder()
                .setServerId(peer.getId())
                .setGroup(group)
                .setStateMachine(new BaseStateMachine())
                .setProperties(properties(config, peer, dir.resolve(peer.getId().toString())))
                .setOption(org.apache.ratis.server.storage.RaftStorage.StartupOption.FORMAT)
                .build();
        servers.add(server);
        server.start();
      }
      try (RaftClient client =
          RaftClient.newBuilder()
              .setRaftGroup(group)
              .setProperties(RaftConfig.clientProperties())
              .setRetryPolicy(
                  RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                      2_000, TimeDuration.valueOf(10, TimeUnit.MILLISECONDS)))
              .build()) {
        Message m = Message.valueOf("warmup");
        get(client.async().send(m));
        get(client.async().sendReadOnly(m));
        RaftPeerId leader =
            leader(servers, group.getGroupId()).orElseThrow(() -> new IOException("no leader"));
        RaftPeerId other =
            group.getPeers().stream()
                .map(RaftPeer::getId)
                .filter(id -> !id.equals(leader))
                .findFirst()
                .orElseThrow();
        client.admin().transferLeadership(other, STEP_TIMEOUT.toMillis());
        get(client.async().send(m));
      }
      return Duration.ofNanos(System.nanoTime() - start);
    } finally {
      for (RaftServer s : servers) {
        try {
          s.close();
        } catch (IOException | RuntimeException e) {
          LOG.debug("closing a warm-up server: {}", e.toString());
        }
      }
      deleteQuietly(dir);
    }
  }

  private static RaftGroup group(NodeConfig config) throws IOException {
    List<RaftPeer> peers = new ArrayList<>();
    for (String suffix : List.of("a", "b")) {
      peers.add(
          RaftPeer.newBuilder()
              .setId(config.id() + "-warmup-" + suffix)
              .setAddress(
                  new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), freePort()))
              .build());
    }
    return RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()), peers);
  }

  /** The node's own server settings, on a loopback port and directory of the warm-up peer's. */
  private static RaftProperties properties(NodeConfig config, RaftPeer peer, Path raftDir)
      throws IOException {
    Files.createDirectories(raftDir);
    RaftProperties p = RaftConfig.serverProperties(config, raftDir);
    RaftServerConfigKeys.setRemovedGroupsDir(p, raftDir.resolve("removed-groups").toFile());
    GrpcConfigKeys.Server.setHost(p, "127.0.0.1");
    GrpcConfigKeys.Server.setPort(p, port(peer));
    // Timers long enough that the two elect at once even on a busy machine: a warm-up that keeps
    // campaigning costs CPU just when the node may have to take over.
    TimeDuration min = TimeDuration.valueOf(WARMUP_TIMEOUT_MIN_MS, TimeUnit.MILLISECONDS);
    TimeDuration max = TimeDuration.valueOf(2 * WARMUP_TIMEOUT_MIN_MS, TimeUnit.MILLISECONDS);
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, max);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, min);
    RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, max);
    return p;
  }

  private static int port(RaftPeer peer) {
    String a = peer.getAddress();
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  private static Optional<RaftPeerId> leader(List<RaftServer> servers, RaftGroupId group)
      throws IOException {
    for (RaftServer s : servers) {
      if (s.getDivision(group).getInfo().isLeader()) {
        return Optional.of(s.getId());
      }
    }
    return Optional.empty();
  }

  private static void get(java.util.concurrent.CompletableFuture<?> f) throws IOException {
    try {
      f.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException(e.toString(), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      LOG.debug("deleting {}: {}", dir, e.toString());
    }
  }
}
