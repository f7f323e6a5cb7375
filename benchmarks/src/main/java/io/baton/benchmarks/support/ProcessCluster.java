package io.baton.benchmarks.support;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.ClusterStatus;
import io.baton.FailureDetection;
import io.baton.MemberStatus;
import io.baton.Peer;
import io.baton.benchmarks.support.NodeProcess.Kind;
import io.baton.benchmarks.support.NodeProcess.RoleLine;
import io.baton.statemachine.Role;
import io.baton.testing.Ports;
import io.baton.testing.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Three Baton nodes as separate JVMs on 127.0.0.1, each started as an operator would: the {@code
 * node} command ({@link BenchNodeMain}, {@code --app bench}, the given {@code --profile}) on its
 * own data directory. A node can be SIGKILLed and started again on its data. The benchmark JVM
 * reads the cluster's state with {@link BatonAdmin} (untimed waits) and the nodes' role lines
 * (timed phases, {@link LogElectionWatch}). {@link #close()} SIGKILLs every node and deletes the
 * data.
 */
public final class ProcessCluster implements AutoCloseable {
  private static final String CLUSTER_NAME = "bench";
  private static final Duration START = Duration.ofSeconds(60);

  private final Path dir;
  private final List<Peer> peers = new ArrayList<>();
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final Map<String, Long> readyTerms = new ConcurrentHashMap<>();
  private final AtomicLong candidacies = new AtomicLong();
  private final List<BatonClient> clients = new ArrayList<>();
  private final BatonAdmin admin;
  private volatile LogElectionWatch watch;

  private ProcessCluster(FailureDetection profile) {
    dir = TempDirs.create("bench-nodes-");
    for (int i = 1; i <= 3; i++) {
      peers.add(Peer.of("n" + i, "127.0.0.1", Ports.freePort()));
    }
    String peerList = peers.stream().map(Peer::toString).collect(Collectors.joining(","));
    for (Peer p : peers) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Xmx512m");
      // Ratis logs each role change as it makes it: the candidacy and election phases.
      cmd.add("-Dorg.slf4j.simpleLogger.log.org.apache.ratis.server.RaftServer$Division=info");
      // As the ./baton launcher does on machines with 2 cores or fewer (docs/operations.md).
      if (Runtime.getRuntime().availableProcessors() <= 2) {
        cmd.add("-Djava.util.concurrent.ForkJoinPool.common.parallelism=2");
      }
      // Baton's own switches given to the benchmark JVM (-jvmArgsAppend -Dbaton.x=y) reach the
      // nodes.
      System.getProperties().stringPropertyNames().stream()
          .filter(k -> k.startsWith("baton."))
          .sorted()
          .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(BenchNodeMain.class.getName());
      cmd.addAll(
          List.of(
              "node",
              "--id",
              p.id(),
              "--peers",
              peerList,
              "--cluster",
              CLUSTER_NAME,
              "--data",
              dir.resolve(p.id()).toString(),
              "--app",
              BenchNodeMain.APP,
              "--profile",
              profile.name()));
      nodes.put(p.id(), new NodeProcess(p.id(), cmd, this::onRoleLine));
    }
    admin = BatonAdmin.newBuilder().peers(peers).clusterName(CLUSTER_NAME).build();
    // A benchmark JVM that exits without closing the cluster (JMH ends a failed fork with
    // System.exit) must not leave its node JVMs running.
    Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "bench-nodes-cleanup"));
  }

  private void killAll() {
    for (NodeProcess n : nodes.values()) {
      try {
        n.kill();
      } catch (IllegalStateException e) {
        // never started
      }
    }
  }

  /** Starts the three node processes and waits until they agree on a ready leader. */
  public static ProcessCluster start(FailureDetection profile) {
    ProcessCluster c = new ProcessCluster(profile);
    try {
      c.nodes.values().forEach(n -> n.start(START));
      c.awaitSettled(Duration.ZERO);
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void onRoleLine(RoleLine line) {
    if (line.kind() == Kind.READY) {
      readyTerms.put(line.node(), line.term());
    } else if (line.kind() == Kind.CANDIDATE) {
      candidacies.incrementAndGet();
    }
    LogElectionWatch w = watch;
    if (w != null) {
      w.onRoleLine(line);
    }
  }

  /** The last term in which node {@code id} said it was a ready leader, or -1 if never. */
  long readyTerm(String id) {
    return readyTerms.getOrDefault(id, -1L);
  }

  /**
   * How many times any node became a candidate (its election timer fired; it then runs pre-vote
   * and, if that succeeds, an election) since the cluster started, counted from the role lines.
   */
  public long candidacies() {
    return candidacies.get();
  }

  /** Waits until the nodes have settled ({@link #awaitSettled}) and returns the leader's term. */
  public long settledTerm() {
    return readyTerm(awaitSettled(Duration.ZERO));
  }

  /** The node ids, in order. */
  public List<String> ids() {
    return List.copyOf(nodes.keySet());
  }

  /** A new client of the cluster, closed with it. */
  public BatonClient newClient() {
    BatonClient c =
        BatonClient.newBuilder()
            .peers(peers)
            .clusterName(CLUSTER_NAME)
            .requestTimeout(Duration.ofSeconds(30))
            .build();
    clients.add(c);
    return c;
  }

  /**
   * Waits until every node runs, has applied what the leader had committed when this was called,
   * and all have agreed on one ready leader and term, nobody a candidate, for {@code quiet}; polls
   * the admin status every 10 ms.
   *
   * @return the leader
   */
  public String awaitSettled(Duration quiet) {
    long deadline = System.nanoTime() + BenchCluster.WAIT.toNanos();
    long target = -1;
    long since = System.nanoTime();
    String last = "no status yet";
    while (System.nanoTime() < deadline) {
      Optional<String> leader = Optional.empty();
      try {
        ClusterStatus s = admin.status();
        last = s.toString();
        leader = s.leaderId();
        if (target < 0 && leader.isPresent()) {
          target = s.member(leader.get()).map(MemberStatus::commitIndex).orElse(-1L);
        }
        if (!settled(s, target)) {
          leader = Optional.empty();
        }
      } catch (BatonException e) {
        last = e.toString();
      }
      long now = System.nanoTime();
      if (leader.isEmpty()) {
        since = now;
      } else if (now - since >= quiet.toNanos()) {
        return leader.get();
      }
      NodeProcess.sleep(10);
    }
    throw new IllegalStateException("nodes did not settle; last status: " + last + "\n" + tails());
  }

  /**
   * Waits until no node JVM used more than {@code maxCores} of a core over the last {@code window}
   * (checked window after window), or {@code limit} has passed, and returns how long it waited. A
   * JVM restarted a few seconds earlier still loads classes and compiles for a while; on a machine
   * with few cores that work would otherwise compete with the next failover, which on separate
   * machines it never does.
   */
  public Duration awaitCpuQuiet(double maxCores, Duration window, Duration limit) {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    Map<String, Duration> before = cpuTimes();
    while (System.nanoTime() < deadline) {
      NodeProcess.sleep(window.toMillis());
      Map<String, Duration> after = cpuTimes();
      boolean quiet = true;
      for (Map.Entry<String, Duration> e : after.entrySet()) {
        Duration used = e.getValue().minus(before.getOrDefault(e.getKey(), Duration.ZERO));
        if (used.toNanos() > maxCores * window.toNanos()) {
          quiet = false;
        }
      }
      if (quiet) {
        break;
      }
      before = after;
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private Map<String, Duration> cpuTimes() {
    Map<String, Duration> m = new LinkedHashMap<>();
    nodes.forEach((id, n) -> m.put(id, n.cpuTime()));
    return m;
  }

  private boolean settled(ClusterStatus s, long target) {
    if (s.leaderId().isEmpty() || target < 0) {
      return false;
    }
    String leader = s.leaderId().get();
    for (MemberStatus m : s.members()) {
      boolean serving = m.role() == Role.LEADER || m.role() == Role.FOLLOWER;
      if (!serving || m.term() != s.term() || m.appliedIndex() < target) {
        return false;
      }
    }
    return s.members().size() == nodes.size()
        && readyTerms.getOrDefault(leader, -1L) == s.term()
        && nodes.get(leader).alive();
  }

  /**
   * Watches the nodes other than {@code leader}: {@link LogElectionWatch#arm} it right before the
   * kill. Replaces the previous watch.
   */
  LogElectionWatch watchSurvivorsOf(String leader) {
    Set<String> survivors =
        nodes.keySet().stream().filter(id -> !id.equals(leader)).collect(Collectors.toSet());
    LogElectionWatch w = new LogElectionWatch(survivors);
    watch = w;
    return w;
  }

  /** SIGKILLs node {@code id}'s JVM and returns at once. */
  public void kill(String id) {
    nodes.get(id).kill();
    if (System.getProperty(NodeProcess.OUTPUT_DIR) != null) {
      // A mark in the same clock and format as the nodes' log lines, for reading the copies.
      System.out.println(LocalTime.now(ZoneId.systemDefault()) + " [bench] killed node " + id);
    }
  }

  /** When this JVM saw node {@code id}'s JVM exit, or 0 if it has not. */
  public long exitNanos(String id) {
    return nodes.get(id).exitNanos();
  }

  /** Starts node {@code id} again on its data directory, once its previous JVM is gone. */
  public void restart(String id) throws InterruptedException {
    NodeProcess n = nodes.get(id);
    n.awaitExit(BenchCluster.WAIT);
    n.start(START);
  }

  private String tails() {
    StringBuilder b = new StringBuilder();
    nodes
        .values()
        .forEach(n -> b.append("--- ").append(n.id).append(":\n").append(n.tail()).append('\n'));
    return b.toString();
  }

  /** Closes the clients and the admin, SIGKILLs every node and deletes the data. */
  @Override
  public void close() {
    clients.forEach(BatonClient::close);
    clients.clear();
    admin.close();
    for (NodeProcess n : nodes.values()) {
      try {
        n.kill();
        n.awaitExit(BenchCluster.WAIT);
      } catch (IllegalStateException e) {
        // never started
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    TempDirs.deleteQuietly(dir);
  }
}
