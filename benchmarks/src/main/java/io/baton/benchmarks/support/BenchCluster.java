package io.baton.benchmarks.support;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.NodeConfig;
import io.baton.NodeStatus;
import io.baton.Peer;
import io.baton.statemachine.Role;
import io.baton.testing.LocalCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A {@link LocalCluster} of nodes running {@link BenchStateMachine}, with what the benchmarks add
 * to it: waits that poll every millisecond (they are part of what is measured), a kill that does
 * not wait for the node to stop, catching up and stability waits, filling the state, and the sizes
 * of a node's files. {@link #close()} deletes the data.
 *
 * <p>Not thread-safe: one benchmark thread drives it; the nodes themselves are thread-safe.
 */
public final class BenchCluster implements AutoCloseable {
  /** How long waits for a leader or for catching up last before the benchmark fails. */
  public static final Duration WAIT = Duration.ofSeconds(60);

  private static final String CLUSTER_NAME = "bench";

  private final LocalCluster cluster;
  private final List<BatonClient> clients = new ArrayList<>();

  private BenchCluster(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Starts {@code n} nodes {@code n1..nN} whose configs pass through {@code customizer}, and waits
   * for a leader.
   */
  public static BenchCluster start(int n, UnaryOperator<NodeConfig.Builder> customizer) {
    LocalCluster local =
        LocalCluster.newBuilder()
            .nodes(n)
            .stateMachines(id -> new BenchStateMachine())
            .configure(b -> customizer.apply(b.clusterName(CLUSTER_NAME)))
            .pollInterval(Duration.ofMillis(1))
            .start();
    BenchCluster c = new BenchCluster(local);
    try {
      c.awaitLeader();
    } catch (RuntimeException | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** The cluster's name, for clients. */
  public String clusterName() {
    return CLUSTER_NAME;
  }

  /** The configured members. */
  public List<Peer> peers() {
    return cluster.peers();
  }

  /** The directory holding every node's data directory. */
  public Path baseDir() {
    return cluster.baseDir();
  }

  /** The configuration node {@code id} starts with. */
  public NodeConfig config(String id) {
    return cluster.config(id);
  }

  /** The running node {@code id}. */
  public BatonNode node(String id) {
    return cluster.node(id);
  }

  /** The state machine of node {@code id}'s latest start. */
  public BenchStateMachine machine(String id) {
    return (BenchStateMachine) cluster.stateMachine(id);
  }

  /** The running nodes, in id order. */
  public List<BatonNode> liveNodes() {
    return cluster.liveNodes();
  }

  /** The running nodes other than {@code id}. */
  public List<BatonNode> others(String id) {
    return cluster.liveNodes().stream().filter(n -> !n.id().equals(id)).toList();
  }

  /** Starts node {@code id} on its data directory with a new state machine instance. */
  public BatonNode restart(String id) {
    return cluster.restart(id);
  }

  /**
   * Starts a new node {@code id} on a free port in join mode ({@link NodeConfig.Builder#join}): not
   * yet a member, its peers are the configured members and itself. Add it with {@link
   * io.baton.BatonAdmin#addNode}.
   *
   * @return the peer to add
   */
  public Peer startJoining(String id) {
    Peer self = cluster.spare(id);
    cluster.startJoining(id);
    return self;
  }

  /**
   * The newest snapshot directory ({@code sm/ckpt_<term>_<index>}) of node {@code id}, if it has
   * one.
   */
  public Optional<Path> latestSnapshotDir(String id) {
    Path raft = cluster.baseDir().resolve(id).resolve("raft");
    if (!Files.isDirectory(raft)) {
      return Optional.empty();
    }
    try (Stream<Path> groups = Files.list(raft)) {
      return groups
          .map(g -> g.resolve("sm"))
          .filter(Files::isDirectory)
          .flatMap(BenchCluster::list)
          .filter(d -> d.getFileName().toString().matches("ckpt_[0-9]+_[0-9]+"))
          .max(
              Comparator.comparingLong(
                  d -> Long.parseLong(d.getFileName().toString().replaceAll(".*_", ""))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stream<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops node {@code id} abruptly (no leadership handover) and waits until it is unreachable; the
   * rest of its shutdown finishes in the background.
   */
  public void kill(String id) {
    cluster.kill(id);
  }

  /**
   * Starts stopping node {@code id} abruptly on another thread and returns at once: {@link
   * LocalCluster#kill} returns only once the node's port is closed (some milliseconds), while the
   * rest of the cluster only notices missing heartbeats. Join the returned future before restarting
   * the node.
   */
  public CompletableFuture<Void> killAsync(String id) {
    BatonNode n = cluster.detach(id);
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                LocalCluster.closeAbruptly(n);
                done.complete(null);
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            },
            "bench-kill-" + id);
    t.setDaemon(true);
    t.start();
    return done;
  }

  /** The ready leader among the running nodes, if there is exactly one. */
  public Optional<BatonNode> leader() {
    List<BatonNode> leaders = cluster.liveNodes().stream().filter(BatonNode::isLeader).toList();
    return leaders.size() == 1 ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  /** Waits for a single ready leader and returns it. */
  public BatonNode awaitLeader() {
    return cluster.awaitLeader(WAIT);
  }

  /**
   * Waits until node {@code id} has applied everything the leader had committed when this was
   * called, and follows that leader.
   */
  public void awaitCaughtUp(String id) {
    BatonNode leader = awaitLeader();
    long target = leader.status().commitIndex();
    BatonNode n = node(id);
    await(
        id + " to apply up to " + target,
        () -> {
          NodeStatus s = n.status();
          return s.appliedIndex() >= target
              && (s.role() == Role.FOLLOWER || s.role() == Role.LEADER)
              && s.leaderId().isPresent();
        });
  }

  /** Waits until every running node has applied everything committed at the leader. */
  public void awaitAllCaughtUp() {
    for (String id : List.copyOf(cluster.liveIds())) {
      awaitCaughtUp(id);
    }
  }

  /**
   * Waits until the running nodes have agreed, for {@code quiet} without interruption, on one
   * leader and one term, with nobody a candidate. A node that was just restarted can time out
   * before the leader's back-off toward it lets it hear a heartbeat and campaign in vain (pre-vote
   * stops it from disturbing the leader); a sample started meanwhile would see that candidacy.
   */
  public void awaitStable(Duration quiet) {
    long[] since = {System.nanoTime()};
    await(
        "a stable leader for " + quiet.toMillis() + " ms",
        () -> {
          long now = System.nanoTime();
          if (!agreeOnLeader()) {
            since[0] = now;
            return false;
          }
          return now - since[0] >= quiet.toNanos();
        });
  }

  private boolean agreeOnLeader() {
    String leader = null;
    long term = -1;
    for (BatonNode n : cluster.liveNodes()) {
      NodeStatus s = n.status();
      if (s.role() != Role.LEADER && s.role() != Role.FOLLOWER) {
        return false;
      }
      if (s.leaderId().isEmpty() || (leader != null && !leader.equals(s.leaderId().get()))) {
        return false;
      }
      if (term >= 0 && term != s.term()) {
        return false;
      }
      leader = s.leaderId().get();
      term = s.term();
    }
    return leader != null && leader().isPresent();
  }

  /** A new client of this cluster, closed with it. */
  public BatonClient newClient() {
    return newClient(true);
  }

  /** A client of the cluster, with command batching on or off; closed with the cluster. */
  public BatonClient newClient(boolean commandBatching) {
    BatonClient c =
        BatonClient.newBuilder()
            .peers(cluster.peers())
            .clusterName(CLUSTER_NAME)
            .requestTimeout(Duration.ofSeconds(30))
            .commandBatching(commandBatching)
            .build();
    clients.add(c);
    return c;
  }

  /** The bytes of node {@code id}'s live state store on disk. */
  public long stateBytes(String id) {
    return Dirs.size(cluster.baseDir().resolve(id).resolve("db"));
  }

  /**
   * Fills the state with about {@code bytes} of incompressible values of {@code valueBytes}, in
   * {@link BenchStateMachine#fill} commands of up to 16 MiB of values each, a few in flight at a
   * time, and waits until every node has applied them.
   *
   * @return the first key not used by the fill
   */
  public long fill(BatonClient client, long bytes, int valueBytes, long firstKey) {
    int perCommand = Math.max(1, (16 << 20) / valueBytes);
    long values = Math.max(1, bytes / valueBytes);
    List<CompletableFuture<byte[]>> inFlight = new ArrayList<>();
    long key = firstKey;
    for (long done = 0; done < values; ) {
      int count = (int) Math.min(perCommand, values - done);
      inFlight.add(client.submitAsync(BenchStateMachine.fill(key, count, valueBytes, key)));
      key += count;
      done += count;
      if (inFlight.size() >= 4) {
        inFlight.remove(0).join();
      }
    }
    inFlight.forEach(CompletableFuture::join);
    awaitAllCaughtUp();
    return key;
  }

  /** Polls {@code condition} every millisecond until it holds, or fails naming {@code what}. */
  public void await(String what, BooleanSupplier condition) {
    cluster.await(what, WAIT, condition);
  }

  /** One line per running node: its status. */
  public String describe() {
    return cluster.describe();
  }

  /** Closes the clients, stops every node abruptly (in parallel) and deletes the data. */
  @Override
  public void close() {
    for (BatonClient c : clients) {
      try {
        c.close();
      } catch (RuntimeException e) {
        System.err.println("bench: error closing a client: " + e);
      }
    }
    clients.clear();
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (String id : List.copyOf(cluster.liveIds())) {
      stops.add(killAsync(id));
    }
    for (CompletableFuture<Void> f : stops) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("bench: error stopping a node: " + e);
      }
    }
    cluster.close();
  }
}
