package io.baton.testing;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.NodeConfig;
import io.baton.Peer;
import io.baton.StateDigest;
import io.baton.statemachine.RoleListener;
import io.baton.statemachine.StateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A cluster of real Baton nodes in this JVM, on 127.0.0.1 with free ports and data directories
 * under a base directory: {@code start}, {@code kill}, {@code restart}, {@code awaitLeader} and
 * {@code awaitConverged} (every live replica at the same applied index with the same state digest,
 * like hashicorp/raft's EnsureSame).
 *
 * <pre>{@code
 * try (TestCluster cluster = TestCluster.start(3, tempDir, id -> new MyStateMachine())) {
 *   BatonNode leader = cluster.awaitLeader();
 *   ...
 * }
 * }</pre>
 */
public final class TestCluster implements AutoCloseable {
  /** How long waits last by default: generous, for a loaded 2-core machine. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final Path baseDir;
  private final List<Peer> peers;
  private final Function<String, StateMachine> stateMachines;
  private final UnaryOperator<NodeConfig.Builder> customizer;
  private final Map<String, RoleListener> roleListeners = new LinkedHashMap<>();
  private final Map<String, BatonNode> nodes = new LinkedHashMap<>();
  private final Map<String, StateMachine> machines = new LinkedHashMap<>();
  private final List<BatonClient> clients = new ArrayList<>();
  private final List<BatonAdmin> admins = new ArrayList<>();
  private final List<Peer> spares = new ArrayList<>();
  private final Set<String> joining = new java.util.HashSet<>();

  private TestCluster(
      Path baseDir,
      List<Peer> peers,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    this.baseDir = baseDir;
    this.peers = peers;
    this.stateMachines = stateMachines;
    this.customizer = customizer;
  }

  /** Starts {@code n} nodes {@code n1..nN} with default settings. */
  public static TestCluster start(
      int n, Path baseDir, Function<String, StateMachine> stateMachines) {
    return start(n, baseDir, stateMachines, b -> b);
  }

  /** Starts {@code n} nodes, each config passed through {@code customizer} before it is built. */
  public static TestCluster start(
      int n,
      Path baseDir,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    TestCluster c = create(n, baseDir, stateMachines, customizer);
    c.startAll();
    return c;
  }

  /** Creates the cluster without starting it, so listeners can be registered first. */
  public static TestCluster create(
      int n,
      Path baseDir,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    List<Peer> peers = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      peers.add(Peer.of("n" + i, "127.0.0.1", freePort()));
    }
    return new TestCluster(baseDir, List.copyOf(peers), stateMachines, customizer);
  }

  /** Registers a role listener for node {@code id}, used whenever it is (re)started. */
  public TestCluster roleListener(String id, RoleListener listener) {
    roleListeners.put(id, listener);
    return this;
  }

  /** Starts every node that is not running. */
  public void startAll() {
    for (Peer p : peers) {
      if (!nodes.containsKey(p.id())) {
        restart(p.id());
      }
    }
  }

  /** Ports handed out by {@link #freePort} in this JVM. */
  private static final java.util.Set<Integer> ISSUED_PORTS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A free TCP port on 127.0.0.1, never one already handed out in this JVM: the kernel may return
   * the port it just released again, and a cluster whose peers share a port cannot start.
   */
  public static int freePort() {
    for (int attempt = 0; ; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        s.setReuseAddress(true);
        if (ISSUED_PORTS.add(s.getLocalPort()) || attempt >= 100) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The configuration node {@code id} starts with. */
  public NodeConfig config(String id) {
    boolean spare = spares.stream().anyMatch(p -> p.id().equals(id));
    NodeConfig.Builder b =
        NodeConfig.newBuilder()
            .id(id)
            .peers(spare ? allPeers() : peers)
            .dataDir(baseDir.resolve(id))
            .join(joining.contains(id));
    return customizer.apply(b).build();
  }

  /**
   * A new node {@code id} on a free port that is not a member: start it with {@link #startJoining}
   * and add it with an admin.
   */
  public Peer spare(String id) {
    Peer p = Peer.of(id, "127.0.0.1", freePort());
    spares.add(p);
    return p;
  }

  /** Starts spare (or removed) node {@code id} in join mode. */
  public BatonNode startJoining(String id) {
    joining.add(id);
    return restart(id);
  }

  /** The initial members and the spares. */
  public List<Peer> allPeers() {
    List<Peer> all = new ArrayList<>(peers);
    all.addAll(spares);
    return all;
  }

  /** An admin of this cluster reaching every known node, closed with the cluster. */
  public BatonAdmin admin() {
    BatonAdmin a =
        BatonAdmin.newBuilder()
            .peers(allPeers())
            .clusterName(config(peers.get(0).id()).clusterName())
            .operationTimeout(Duration.ofSeconds(60))
            .actor("test")
            .progress(line -> System.out.println("admin: " + line))
            .build();
    admins.add(a);
    return a;
  }

  /** The cluster's members. */
  public List<Peer> peers() {
    return peers;
  }

  /** The running node {@code id}. */
  public BatonNode node(String id) {
    BatonNode n = nodes.get(id);
    if (n == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return n;
  }

  /** The state machine instance of node {@code id}'s latest start. */
  public StateMachine stateMachine(String id) {
    return machines.get(id);
  }

  /** The running nodes. */
  public List<BatonNode> liveNodes() {
    return List.copyOf(nodes.values());
  }

  /** Ids of the running nodes. */
  public Set<String> liveIds() {
    return Set.copyOf(nodes.keySet());
  }

  /** Ids of the running nodes other than {@code leader}, sorted. */
  public List<String> followerIds(BatonNode leader) {
    return nodes.keySet().stream().filter(id -> !id.equals(leader.id())).sorted().toList();
  }

  /** Stops node {@code id} abruptly, as a crash would. */
  public void kill(String id) {
    BatonNode n = nodes.remove(id);
    if (n != null) {
      n.closeAbruptly();
    }
  }

  /** Stops node {@code id} gracefully (handing leadership over if it leads). */
  public void stop(String id) {
    BatonNode n = nodes.remove(id);
    if (n != null) {
      n.close();
    }
  }

  /** Starts node {@code id} on its data directory with a fresh state machine instance. */
  public BatonNode restart(String id) {
    if (nodes.containsKey(id)) {
      throw new IllegalStateException("node " + id + " is running");
    }
    StateMachine sm = stateMachines.apply(id);
    BatonNode.Builder b = BatonNode.newBuilder().config(config(id)).stateMachine(sm);
    Optional.ofNullable(roleListeners.get(id)).ifPresent(b::addRoleListener);
    BatonNode n = b.start();
    nodes.put(id, n);
    machines.put(id, sm);
    return n;
  }

  /** A client of this cluster, closed with the cluster. */
  public BatonClient newClient() {
    return newClient(Duration.ofSeconds(30));
  }

  /** A client with the given request timeout, closed with the cluster. */
  public BatonClient newClient(Duration requestTimeout) {
    BatonClient c = BatonClient.newBuilder().peers(peers).requestTimeout(requestTimeout).build();
    clients.add(c);
    return c;
  }

  /**
   * A client that sends every command as its own log entry, closed with the cluster: for tests that
   * need a given number of entries (to fill log segments, or reach a snapshot threshold).
   */
  public BatonClient newUnbatchedClient() {
    BatonClient c = BatonClient.newBuilder().peers(peers).commandBatching(false).build();
    clients.add(c);
    return c;
  }

  /** Waits until exactly one live node is a ready leader and returns it. */
  public BatonNode awaitLeader() {
    return awaitLeader(WAIT);
  }

  /** Waits until exactly one live node is a ready leader and returns it. */
  public BatonNode awaitLeader(Duration timeout) {
    BatonNode[] found = new BatonNode[1];
    await(
        "a single leader among " + nodes.keySet(),
        timeout,
        () -> {
          List<BatonNode> leaders = nodes.values().stream().filter(BatonNode::isLeader).toList();
          found[0] = leaders.size() == 1 ? leaders.get(0) : null;
          return found[0] != null;
        });
    return found[0];
  }

  /**
   * Waits until every live node has applied the same index and holds an identical state, and
   * returns that state's digest.
   */
  public StateDigest awaitConverged() {
    return awaitConverged(WAIT);
  }

  /** See {@link #awaitConverged()}. */
  public StateDigest awaitConverged(Duration timeout) {
    StateDigest[] result = new StateDigest[1];
    await(
        "replicas " + nodes.keySet() + " to converge",
        timeout,
        () -> {
          Set<Long> commits =
              nodes.values().stream()
                  .map(n -> n.status().commitIndex())
                  .collect(Collectors.toSet());
          Set<Long> applied =
              nodes.values().stream()
                  .map(n -> n.status().appliedIndex())
                  .collect(Collectors.toSet());
          if (commits.size() != 1 || applied.size() != 1 || !commits.equals(applied)) {
            return false;
          }
          Set<StateDigest> digests =
              nodes.values().stream().map(BatonNode::stateDigest).collect(Collectors.toSet());
          result[0] = digests.size() == 1 ? digests.iterator().next() : null;
          return result[0] != null;
        });
    return result[0];
  }

  /** A readable line per node: id, role, term, commit and applied index. */
  public String describe() {
    return nodes.values().stream()
        .map(n -> n.status().toString())
        .collect(Collectors.joining("\n  ", "\n  ", ""));
  }

  /** Polls {@code condition} every 10 ms until it holds, or fails naming {@code what}. */
  public void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout + " waiting for " + what + describe());
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /** Closes clients and stops every node abruptly (fast teardown). */
  @Override
  public void close() {
    admins.forEach(BatonAdmin::close);
    for (BatonClient c : clients) {
      c.close();
    }
    for (String id : List.copyOf(nodes.keySet())) {
      kill(id);
    }
    Objects.requireNonNull(baseDir);
  }
}
