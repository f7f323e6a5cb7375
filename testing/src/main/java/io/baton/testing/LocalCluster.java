package io.baton.testing;

import static java.util.stream.Collectors.toSet;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.NodeConfig;
import io.baton.Peer;
import io.baton.StateDigest;
import io.baton.internal.ratis.RatisBatonNode;
import io.baton.statemachine.RoleListener;
import io.baton.statemachine.StateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A cluster of real Baton nodes in this JVM, on 127.0.0.1 with free ports and a data directory per
 * node under a base directory, for applications' own tests, benchmarks and demonstrations: start,
 * {@link #kill kill} (as a crash), {@link #stop stop} (gracefully), {@link #restart restart},
 * {@link #partition partition} and {@link #heal heal}, {@link #awaitLeader()} and {@link
 * #awaitConverged()} (every live replica at the same applied index with the same state digest, like
 * hashicorp/raft's EnsureSame).
 *
 * <pre>{@code
 * try (LocalCluster cluster =
 *     LocalCluster.newBuilder().nodes(3).stateMachines(id -> new MyStateMachine()).start()) {
 *   BatonNode leader = cluster.awaitLeader();
 *   cluster.newClient().submit(command);
 *   cluster.kill(leader.id());
 *   cluster.awaitLeader();
 *   cluster.restart(leader.id());
 *   cluster.awaitConverged();
 * }
 * }</pre>
 *
 * <p>Nodes are named {@code n1..nN}. Clients and admins made here are closed with the cluster;
 * closing kills every node and, if the cluster made its own base directory, deletes it. Not
 * thread-safe: drive a cluster from one test thread.
 *
 * @since 0.1
 */
public final class LocalCluster implements AutoCloseable {
  /** How long waits last by default: generous, for a loaded 2-core machine. */
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final Path baseDir;
  private final boolean ownsBaseDir;
  private final List<Peer> peers;
  private final Function<String, StateMachine> stateMachines;
  private final UnaryOperator<NodeConfig.Builder> customizer;
  private final Map<String, RoleListener> roleListeners;
  private final Map<String, BatonNode> nodes = new LinkedHashMap<>();
  private final Map<String, StateMachine> machines = new LinkedHashMap<>();
  private final List<BatonClient> clients = new ArrayList<>();
  private final List<BatonAdmin> admins = new ArrayList<>();
  private final List<Peer> spares = new ArrayList<>();

  /**
   * Nodes stopped abruptly or detached, whose shutdown may still be finishing in the background.
   */
  private final List<BatonNode> stopping = new ArrayList<>();

  private final Set<String> joining = new HashSet<>();
  private final Duration pollInterval;

  private LocalCluster(Builder b) {
    this.ownsBaseDir = b.baseDir == null;
    this.baseDir = ownsBaseDir ? TempDirs.create("baton-cluster-") : b.baseDir;
    List<Peer> list = new ArrayList<>();
    for (int i = 1; i <= b.nodes; i++) {
      list.add(Peer.of("n" + i, "127.0.0.1", Ports.freePort()));
    }
    this.peers = List.copyOf(list);
    this.stateMachines = b.stateMachines;
    FailureDetection detection = b.failureDetection;
    UnaryOperator<NodeConfig.Builder> custom = b.customizer;
    this.customizer = detection == null ? custom : c -> custom.apply(c.failureDetection(detection));
    this.roleListeners = new LinkedHashMap<>(b.roleListeners);
    this.pollInterval = b.pollInterval;
  }

  /** A builder for a cluster. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** Starts {@code n} nodes {@code n1..nN} with default settings, data under {@code baseDir}. */
  public static LocalCluster start(
      int n, Path baseDir, Function<String, StateMachine> stateMachines) {
    return start(n, baseDir, stateMachines, b -> b);
  }

  /** Starts {@code n} nodes, each config passed through {@code customizer} before it is built. */
  public static LocalCluster start(
      int n,
      Path baseDir,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    return builder(n, baseDir, stateMachines, customizer).start();
  }

  /** Creates the cluster without starting it, so listeners can be registered first. */
  public static LocalCluster create(
      int n,
      Path baseDir,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    return builder(n, baseDir, stateMachines, customizer).create();
  }

  private static Builder builder(
      int n,
      Path baseDir,
      Function<String, StateMachine> stateMachines,
      UnaryOperator<NodeConfig.Builder> customizer) {
    return newBuilder()
        .nodes(n)
        .baseDir(baseDir)
        .stateMachines(stateMachines)
        .configure(customizer);
  }

  /** Registers a role listener for node {@code id}, used whenever it is (re)started. */
  public LocalCluster roleListener(String id, RoleListener listener) {
    roleListeners.put(id, listener);
    return this;
  }

  /** Starts every member that is not running. */
  public void startAll() {
    for (Peer p : peers) {
      if (!nodes.containsKey(p.id())) {
        restart(p.id());
      }
    }
  }

  /** The directory under which each node has its data directory (named after the node). */
  public Path baseDir() {
    return baseDir;
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
    Peer p = Peer.of(id, "127.0.0.1", Ports.freePort());
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

  /** The cluster's initial members. */
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

  /**
   * Stops node {@code id} abruptly, as a crash would: no leadership handover, the others just stop
   * hearing from it. Returns once the node is unreachable; the rest of its shutdown finishes in the
   * background, and {@link #restart} waits for it. Its data stays on disk for {@link #restart}.
   * Nothing happens if it is not running.
   */
  public void kill(String id) {
    BatonNode n = nodes.remove(id);
    if (n != null) {
      stopping.add(n);
      closeAbruptly(n);
    }
  }

  /**
   * Stops {@code node} abruptly, as {@link #kill} does, whether or not this cluster started it: for
   * a caller that runs the shutdown on a thread of its own.
   */
  public static void closeAbruptly(BatonNode node) {
    if (!(node instanceof RatisBatonNode ratis)) {
      throw new IllegalArgumentException("not a node Baton started: " + node);
    }
    ratis.closeAbruptly();
  }

  /**
   * Removes node {@code id} from the running nodes without stopping it, and returns it: the caller
   * stops it (for example with {@link #closeAbruptly(BatonNode)} on another thread, to time the
   * failover while it shuts down).
   */
  public BatonNode detach(String id) {
    BatonNode n = nodes.remove(id);
    if (n == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    stopping.add(n);
    return n;
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

  /**
   * Cuts the Raft traffic between the nodes in {@code side} and every other node of this cluster,
   * in both directions, as a network partition would: no heartbeats, log entries, votes, snapshots
   * or leadership-transfer requests cross the cut. Clients and admins still reach every node. Adds
   * to any earlier cut; undone by {@link #heal()}. Applies to nodes started later as well.
   *
   * <p>The cut works inside the Raft servers of this JVM, which all share it: two clusters with the
   * same node ids must not be partitioned at the same time.
   */
  public void partition(Collection<String> side) {
    Set<String> inside = Set.copyOf(side);
    Set<String> outside =
        allPeers().stream().map(Peer::id).filter(id -> !inside.contains(id)).collect(toSet());
    RatisNetworkCut.cut(inside, outside);
  }

  /** {@link #partition(Collection)} with the single node {@code id} on one side. */
  public void isolate(String id) {
    partition(Set.of(id));
  }

  /**
   * Lets node {@code id} hear its leader's heartbeats but no log entries: it stays in contact and
   * answers, yet falls behind, as a follower that the leader's replication is stuck on. Undone by
   * {@link #heal()}. Shared by the servers of this JVM like {@link #partition}.
   */
  public void starve(String id) {
    RatisNetworkCut.starve(id);
  }

  /** Restores all Raft traffic between this cluster's nodes. */
  public void heal() {
    RatisNetworkCut.heal(allPeers().stream().map(Peer::id).collect(toSet()));
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
    return awaitLeaderAmong(null, timeout);
  }

  /**
   * Waits until exactly one live node among {@code ids} is a ready leader and returns it: the
   * leader of one side of a {@link #partition}, while a deposed leader on the other side may still
   * believe it leads.
   */
  public BatonNode awaitLeaderAmong(Collection<String> ids) {
    return awaitLeaderAmong(Set.copyOf(ids), WAIT);
  }

  private BatonNode awaitLeaderAmong(Set<String> ids, Duration timeout) {
    AtomicReference<BatonNode> found = new AtomicReference<>();
    await(
        "a single leader among " + (ids == null ? nodes.keySet() : ids),
        timeout,
        () -> {
          List<BatonNode> leaders =
              nodes.values().stream()
                  .filter(n -> ids == null || ids.contains(n.id()))
                  .filter(BatonNode::isLeader)
                  .toList();
          found.set(leaders.size() == 1 ? leaders.get(0) : null);
          return found.get() != null;
        });
    return found.get();
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
    AtomicReference<StateDigest> result = new AtomicReference<>();
    await(
        "replicas " + nodes.keySet() + " to converge",
        timeout,
        () -> {
          Set<Long> commits =
              nodes.values().stream().map(n -> n.status().commitIndex()).collect(toSet());
          Set<Long> applied =
              nodes.values().stream().map(n -> n.status().appliedIndex()).collect(toSet());
          if (commits.size() != 1 || applied.size() != 1 || !commits.equals(applied)) {
            return false;
          }
          Set<StateDigest> digests =
              nodes.values().stream().map(BatonNode::stateDigest).collect(toSet());
          result.set(digests.size() == 1 ? digests.iterator().next() : null);
          return result.get() != null;
        });
    return result.get();
  }

  /** A readable line per node: id, role, term, commit and applied index. */
  public String describe() {
    return nodes.values().stream()
        .map(n -> n.status().toString())
        .collect(Collectors.joining("\n  ", "\n  ", ""));
  }

  /**
   * Polls {@code condition} every poll interval (10 ms by default) until it holds, or fails naming
   * {@code what} and describing every node.
   *
   * @throws AssertionError if {@code condition} does not hold within {@code timeout}
   */
  public void await(String what, Duration timeout, BooleanSupplier condition) {
    try {
      Awaitility.await(what)
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(pollInterval)
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "timed out after " + timeout + " waiting for " + what + describe(), e);
    }
  }

  /**
   * Heals any partition, closes clients and admins, stops every node abruptly (fast teardown) and
   * deletes the base directory if the cluster created it.
   */
  @Override
  public void close() {
    heal();
    admins.forEach(BatonAdmin::close);
    clients.forEach(BatonClient::close);
    for (String id : List.copyOf(nodes.keySet())) {
      kill(id);
    }
    // Abrupt stops finish in the background: let them release the data directories first.
    for (BatonNode n : stopping) {
      if (n instanceof RatisBatonNode ratis) {
        ratis.awaitStopped(WAIT);
      }
    }
    if (ownsBaseDir) {
      TempDirs.deleteQuietly(baseDir);
    }
  }

  /** Builds a {@link LocalCluster}. Not thread-safe. */
  public static final class Builder {
    private int nodes = 3;
    private Path baseDir;
    private Function<String, StateMachine> stateMachines;
    private FailureDetection failureDetection;
    private UnaryOperator<NodeConfig.Builder> customizer = b -> b;
    private Duration pollInterval = Duration.ofMillis(10);
    private final Map<String, RoleListener> roleListeners = new LinkedHashMap<>();

    private Builder() {}

    /** How many members (default 3, at least 1). */
    public Builder nodes(int nodes) {
      if (nodes < 1) {
        throw new IllegalArgumentException("nodes (" + nodes + ") must be at least 1");
      }
      this.nodes = nodes;
      return this;
    }

    /**
     * The directory to keep the nodes' data directories in, left in place on close (default: a new
     * temporary directory, deleted on close).
     */
    public Builder baseDir(Path baseDir) {
      this.baseDir = Objects.requireNonNull(baseDir, "baseDir");
      return this;
    }

    /**
     * Makes each node's state machine from its id (required); called on every (re)start, and must
     * return a new instance each time.
     */
    public Builder stateMachines(Function<String, StateMachine> stateMachines) {
      this.stateMachines = Objects.requireNonNull(stateMachines, "stateMachines");
      return this;
    }

    /** The failure detection profile of every node (default: {@link NodeConfig}'s default). */
    public Builder failureDetection(FailureDetection failureDetection) {
      this.failureDetection = Objects.requireNonNull(failureDetection, "failureDetection");
      return this;
    }

    /**
     * Passes each node's configuration through {@code customizer} before it is built (after the
     * cluster set id, peers, data directory and failure detection).
     */
    public Builder configure(UnaryOperator<NodeConfig.Builder> customizer) {
      this.customizer = Objects.requireNonNull(customizer, "customizer");
      return this;
    }

    /**
     * How often waits re-check their condition (default 10 ms, positive). Lower it when the wait is
     * part of what is measured, as in a benchmark of failover or catch-up time.
     */
    public Builder pollInterval(Duration pollInterval) {
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval (" + pollInterval + ") must be positive");
      }
      this.pollInterval = pollInterval;
      return this;
    }

    /** A role listener for node {@code id}, used whenever it is (re)started. */
    public Builder roleListener(String id, RoleListener listener) {
      roleListeners.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(listener));
      return this;
    }

    /** The cluster, with ports chosen and no node started yet. */
    public LocalCluster create() {
      if (stateMachines == null) {
        throw new IllegalStateException("stateMachines is not set");
      }
      return new LocalCluster(this);
    }

    /** The cluster with every member started; a leader may not be elected yet. */
    public LocalCluster start() {
      LocalCluster c = create();
      try {
        c.startAll();
      } catch (RuntimeException | Error e) {
        c.close();
        throw e;
      }
      return c;
    }
  }
}
