package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.NodeConfig;
import io.baton.NodeStatus;
import io.baton.NodeStorageException;
import io.baton.NotLeaderException;
import io.baton.StateDigest;
import io.baton.statemachine.Role;
import io.baton.statemachine.RoleChange;
import io.baton.statemachine.RoleListener;
import io.baton.statemachine.StateMachine;
import io.baton.storage.StorageException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.ExitUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link BatonNode} running one Ratis server with one group. Not API. */
public final class RatisBatonNode implements BatonNode {
  private static final Logger LOG = LoggerFactory.getLogger(RatisBatonNode.class);
  private static final AtomicLong CALL_IDS = new AtomicLong();

  static {
    // Ratis calls System.exit when its gRPC server cannot bind; a library must never end the
    // application's JVM. With exits disabled Ratis throws instead, and start() reports the cause.
    ExitUtils.disableSystemExit();
  }

  private final NodeConfig config;
  private final RaftGroupId groupId;
  private final RaftPeerId selfId;
  private final BatonStateMachineAdapter adapter;
  private final RaftServer server;
  private final List<RoleListener> roleListeners;
  private final ExecutorService roleExecutor;
  private final ClientId adminClientId = ClientId.randomId();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile RoleChange lastDelivered;

  /** Pauses and resumes this node's elections as the cluster settings drain and undrain it. */
  private final ScheduledExecutorService electionControl;

  private volatile boolean drained;
  private volatile ClusterSettings settings = ClusterSettings.DEFAULT;

  /** Starts this node's elections when the leader has been silent for its timeout. */
  private final ElectionTimer electionTimer;

  /** While this node leads, finds followers that stopped progressing and repairs them. */
  private final ReplicationWatch replicationWatch;

  /** How long a start waits for an earlier abrupt stop on the same data directory to finish. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private final LeaderHandOver handOver;
  private final NodeShutdown shutdown;

  private RatisBatonNode(
      NodeConfig config, StateMachine app, List<RoleListener> roleListeners, DataDirectory dir) {
    this.config = config;
    this.groupId = RaftConfig.groupId(config.clusterName());
    this.selfId = RaftPeerId.valueOf(config.id());
    this.roleListeners = List.copyOf(roleListeners);
    this.roleExecutor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "baton-role-" + config.id());
              t.setDaemon(true);
              return t;
            });
    this.electionControl =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "baton-elections-" + config.id());
              t.setDaemon(true);
              return t;
            });
    FailureDetection fd = config.failureDetection();
    this.electionTimer =
        new ElectionTimer(
            config.id(),
            this::divisionIfAlive,
            () -> drained,
            fd.electionTimeoutMin().toMillis(),
            fd.electionTimeoutMax().toMillis(),
            RaftConfig.stepDownWait(fd).toMillis());
    this.replicationWatch = ReplicationWatch.forNode(config.id(), this::divisionIfAlive, fd);
    this.adapter =
        new BatonStateMachineAdapter(
            app,
            dir.dbDir(),
            config.maxCommandBytes(),
            config.snapshotPolicy().retained(),
            config.failureDetection().electionTimeoutMin().toMillis(),
            new Events());
    try {
      this.server =
          RaftServer.newBuilder()
              .setServerId(selfId)
              .setGroup(RaftConfig.startupGroup(config))
              .setStateMachine(adapter)
              .setProperties(RaftConfig.serverProperties(config, dir.raftDir()))
              .setOption(RaftStorage.StartupOption.RECOVER)
              .build();
    } catch (IOException e) {
      roleExecutor.shutdownNow();
      electionControl.shutdownNow();
      throw new BatonException("cannot create Raft server for node " + config.id() + ": " + e, e);
    }
    this.handOver =
        new LeaderHandOver(
            config.id(),
            this::divisionIfAlive,
            () -> settings.drained(),
            config.failureDetection(),
            (target, timeoutMs) ->
                server.transferLeadership(
                    new TransferLeadershipRequest(
                        adminClientId,
                        selfId,
                        groupId,
                        CALL_IDS.incrementAndGet(),
                        target,
                        timeoutMs)));
    this.shutdown =
        new NodeShutdown(
            config.id(),
            config.dataDir(),
            new InetSocketAddress(config.self().host(), config.self().port()),
            new NodeShutdown.Parts(
                () -> {
                  electionTimer.close();
                  replicationWatch.close();
                },
                server,
                adapter,
                () -> deliver(Role.DOWN, Optional.empty()),
                electionControl,
                roleExecutor));
  }

  private static final java.util.concurrent.atomic.AtomicBoolean POOL_WARNED =
      new java.util.concurrent.atomic.AtomicBoolean();

  /*
   * Ratis continues many futures with CompletableFuture's *Async methods and no executor (a
   * follower's log append, for one). With a common pool parallelism below 2, which is the JVM's
   * default on machines with 2 cores or fewer, the JDK runs each such task on a new thread: one
   * thread created per replicated entry. On a 2-core machine that cut raw Ratis from about 3,000 to
   * about 800 writes/s (benchmarks/RESULTS.md). The pool is fixed when CompletableFuture is first
   * loaded, long before a node starts, so all a library can do is say so.
   */
  private static void warnIfAsyncTasksGetThreads() {
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2
        && POOL_WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "The common ForkJoinPool's parallelism is {} (this machine has {} cores), so the JDK"
              + " starts a new thread for every asynchronous task Ratis runs, several per"
              + " replicated entry: writes are several times slower. Start the JVM with"
              + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 (docs/operations.md).",
          java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
          Runtime.getRuntime().availableProcessors());
    }
  }

  /** Starts a node; see {@link BatonNode.Builder#start()}. */
  public static BatonNode start(
      NodeConfig config, StateMachine app, List<RoleListener> roleListeners) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(app, "app");
    LOG.info("Starting Baton node with {}", config);
    warnIfAsyncTasksGetThreads();
    NodeShutdown.awaitPrevious(config.dataDir(), STOP_WAIT);
    DataDirectory dir = DataDirectory.open(config);
    RatisBatonNode node = new RatisBatonNode(config, app, roleListeners, dir);
    try {
      node.server.start();
      node.division(); // surfaces a state machine that failed to initialize
      node.electionTimer.start();
      node.replicationWatch.start();
      LeaderPathWarmup.startOnce(config, node::leaderId, node.closed::get);
    } catch (IOException | RuntimeException e) {
      node.shutdown.now();
      String message = startFailure(config, dir, e);
      throw storageFailure(e).isPresent()
          ? new NodeStorageException(message, storageFailure(e).get())
          : new BatonException(message, e);
    }
    LOG.info("Node {} started on {}", config.id(), config.self().address());
    return node;
  }

  private static String startFailure(NodeConfig config, DataDirectory dir, Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (RatisErrors.isAddressInUse(t)) {
        return "node "
            + config.id()
            + " cannot listen on "
            + config.self().address()
            + ": "
            + t.getMessage()
            + " (is another process using the port?)";
      }
      if (t instanceof StorageException) {
        return "node "
            + config.id()
            + " cannot open its state: "
            + withoutFinalPeriod(t.getMessage())
            + ". If its files are damaged: "
            + bringBackEmpty(config);
      }
    }
    Optional<String> logDamage = Optional.empty();
    Path logDir =
        dir.raftDir()
            .resolve(RaftConfig.groupId(config.clusterName()).getUuid().toString())
            .resolve("current");
    try {
      logDamage = RaftLogFiles.findDamage(logDir, RaftConfig.appenderBufferBytes(config));
    } catch (IOException | RuntimeException diagnosis) {
      e.addSuppressed(diagnosis);
    }
    if (logDamage.isPresent()) {
      return "node "
          + config.id()
          + " cannot start: "
          + withoutFinalPeriod(logDamage.get())
          + ". The node's data cannot be used as it is: "
          + bringBackEmpty(config);
    }
    return "node " + config.id() + " failed to start: " + e;
  }

  /** The storage layer's failure in {@code e}'s causes, if any. */
  private static Optional<StorageException> storageFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StorageException s) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  private static String withoutFinalPeriod(String message) {
    return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
  }

  /*
   * Never repair a replica's files in place: a log or store that lost entries it had acknowledged
   * could vote for a leader without them (Raft §5.4.1) or serve a state that never existed. A node
   * re-added on an empty directory receives a verified snapshot and the log from the leader, and
   * counts for the quorum only once it has caught up.
   */
  private static String bringBackEmpty(NodeConfig config) {
    return "move "
        + config.dataDir()
        + " aside (keep it for diagnosis) and bring the node back on an empty data directory:"
        + " `baton admin remove "
        + config.id()
        + "`, start the node in join mode, then `baton admin add "
        + config.id()
        + "="
        + config.self().address()
        + "`; or `baton admin replace "
        + config.id()
        + " NEW_ID=HOST:PORT` (docs/operations.md)";
  }

  private RaftServer.Division division() throws IOException {
    return server.getDivision(groupId);
  }

  private Optional<RaftServer.Division> divisionIfAlive() {
    try {
      return Optional.of(division());
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // closed, or closing: the node has no division to report on
    }
  }

  @Override
  public String id() {
    return config.id();
  }

  @Override
  public NodeConfig config() {
    return config;
  }

  @Override
  public NodeStatus status() {
    Optional<RaftServer.Division> d = divisionIfAlive();
    if (closed.get() || d.isEmpty() || !d.get().getInfo().isAlive()) {
      return new NodeStatus(
          config.id(),
          Role.DOWN,
          0,
          Optional.empty(),
          -1,
          adapter.getLastAppliedTermIndex().getIndex(),
          adapter.lastSnapshotIndex(),
          adapter.snapshotsInstalled(),
          adapter.snapshotsTaken());
    }
    DivisionInfo info = d.get().getInfo();
    return new NodeStatus(
        config.id(),
        adapter.haltCause().isPresent() ? Role.DOWN : role(info.getCurrentRole()),
        info.getCurrentTerm(),
        Optional.ofNullable(info.getLeaderId()).map(RaftPeerId::toString),
        d.get().getRaftLog().getLastCommittedIndex(),
        adapter.getLastAppliedTermIndex().getIndex(),
        adapter.lastSnapshotIndex(),
        adapter.snapshotsInstalled(),
        adapter.snapshotsTaken());
  }

  /** Baton's name for a Ratis role; any role Baton does not know reads as down. */
  static Role role(RaftPeerRole r) {
    return switch (r) {
      case LEADER -> Role.LEADER;
      case FOLLOWER -> Role.FOLLOWER;
      case CANDIDATE -> Role.CANDIDATE;
      case LISTENER -> Role.LISTENER;
      default -> Role.DOWN;
    };
  }

  @Override
  public boolean isLeader() {
    return !closed.get()
        && divisionIfAlive()
            .map(
                d -> d.getInfo().isAlive() && d.getInfo().isLeader() && d.getInfo().isLeaderReady())
            .orElse(false);
  }

  @Override
  public Optional<String> leaderId() {
    return divisionIfAlive().map(d -> d.getInfo().getLeaderId()).map(RaftPeerId::toString);
  }

  @Override
  public StateDigest stateDigest() {
    Map.Entry<Long, String> d;
    try {
      d =
          adapter
              .digest()
              .orElseThrow(() -> new IllegalStateException("node " + config.id() + " is closed"));
    } catch (StorageException e) {
      throw new NodeStorageException(
          "node " + config.id() + " cannot read its state: " + e.getMessage(), e);
    }
    return new StateDigest(d.getKey(), d.getValue());
  }

  @Override
  public long takeSnapshot() {
    long timeoutMs = 60_000;
    RaftClientReply reply;
    try {
      reply =
          server.snapshotManagement(
              SnapshotManagementRequest.newCreate(
                  adminClientId, selfId, groupId, CALL_IDS.incrementAndGet(), timeoutMs, 1));
    } catch (IOException e) {
      throw new BatonException("snapshot on node " + config.id() + " failed: " + e, e);
    }
    if (!reply.isSuccess()) {
      throw new BatonException(
          "snapshot on node " + config.id() + " failed: " + reply.getException(),
          reply.getException());
    }
    return adapter.lastSnapshotIndex();
  }

  @Override
  public void transferLeadership(String targetId, Duration timeout) {
    Objects.requireNonNull(targetId, "targetId");
    Objects.requireNonNull(timeout, "timeout");
    RaftServer.Division d =
        divisionIfAlive().orElseThrow(() -> new IllegalStateException("node is closed"));
    if (!d.getInfo().isLeader()) {
      Optional<String> leader = leaderId();
      throw new NotLeaderException(
          "node " + config.id() + " is not the leader (leader: " + leader.orElse("unknown") + ")",
          leader);
    }
    if (d.getRaftConf().getCurrentPeers().stream()
        .noneMatch(p -> p.getId().toString().equals(targetId))) {
      throw new IllegalArgumentException(
          "'"
              + targetId
              + "' is not a voting member; voters: "
              + d.getRaftConf().getCurrentPeers());
    }
    if (targetId.equals(config.id())) {
      return;
    }
    handOver.transfer(targetId, timeout);
  }

  @Override
  public void close() {
    if (closed.get()) {
      return;
    }
    handOver.run();
    closeServer(false);
  }

  /**
   * Stops this node without handing over leadership, as a crash looks to the rest of the cluster
   * (which notices only missing heartbeats). Returns as soon as the node neither sends nor answers
   * Raft messages (its port refuses connections); the rest of the shutdown finishes in the
   * background, and starting a node on the same data directory waits for it (see {@link
   * #awaitStopped}). State already written stays on disk and the node can be started again on the
   * same data directory. Not on {@link BatonNode}: a test-only operation, reached through {@code
   * io.baton.testing.LocalCluster#kill}.
   */
  public void closeAbruptly() {
    closeServer(true);
  }

  /**
   * Waits until a close of this node has finished: its data directory and threads are released.
   * Returns at once if the node was not closed.
   */
  public void awaitStopped(Duration timeout) {
    if (closed.get()) {
      shutdown.awaitFinished(timeout);
    }
  }

  private void closeServer(boolean abruptly) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (abruptly) {
      shutdown.abruptly(STOP_WAIT);
    } else {
      shutdown.now();
    }
    LOG.info("Node {} stopped{}", config.id(), abruptly ? " (closing in the background)" : "");
  }

  private void deliver(Role role, Optional<String> leader) {
    if (roleListeners.isEmpty() || roleExecutor.isShutdown()) {
      return;
    }
    long term = divisionIfAlive().map(d -> d.getInfo().getCurrentTerm()).orElse(0L);
    RoleChange change = new RoleChange(role, term, leader);
    try {
      roleExecutor.execute(
          () -> {
            if (repeats(change, lastDelivered)) {
              return;
            }
            lastDelivered = change;
            for (RoleListener l : roleListeners) {
              try {
                l.onRoleChange(change);
              } catch (RuntimeException e) {
                LOG.warn("RoleListener {} threw on {}", l, change, e);
              }
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("Role change {} after close dropped", change);
    }
  }

  /*
   * Ratis may report the same leader again, for instance each time a follower's pre-vote fails and
   * it hears the leader anew; listeners hear a change once. A new term or a new leader is a change;
   * DOWN is delivered once whatever term it is read at.
   */
  static boolean repeats(RoleChange change, RoleChange last) {
    return last != null
        && change.role() == last.role()
        && (change.role() == Role.DOWN
            || (change.term() == last.term() && change.leaderId().equals(last.leaderId())));
  }

  private final class Events implements BatonStateMachineAdapter.Events {
    @Override
    public byte[] stuckFollowers() {
      return replicationWatch.encodeStuck();
    }

    @Override
    public void leaderChanged(RaftPeerId newLeader) {
      if (newLeader == null) {
        electionTimer.steppedDown();
      }
      if (newLeader != null && newLeader.equals(selfId)) {
        return; // LEADER is delivered on leaderReady, once this term's first entry is committed
      }
      Role role =
          divisionIfAlive()
              .map(d -> d.getInfo().getCurrentRole())
              .filter(r -> r == RaftPeerRole.LISTENER)
              .map(r -> Role.LISTENER)
              .orElse(Role.FOLLOWER);
      deliver(role, Optional.ofNullable(newLeader).map(RaftPeerId::toString));
    }

    @Override
    public void leaderReady() {
      deliver(Role.LEADER, Optional.of(config.id()));
    }

    @Override
    public void halted(Throwable cause) {
      deliver(Role.DOWN, Optional.empty());
    }

    @Override
    public void serverShutdown() {
      deliver(Role.DOWN, Optional.empty());
    }

    @Override
    public void settingsChanged(ClusterSettings s) {
      settings = s;
      boolean want = s.drained().contains(config.id());
      if (want != drained) {
        drained = want;
        scheduleElectionControl(0);
      }
    }

    @Override
    public void adminAction(long index, String record) {
      boolean leader = divisionIfAlive().map(d -> d.getInfo().isLeader()).orElse(false);
      if (leader) {
        LOG.info("ADMIN [log index {}] {}", index, record);
      } else {
        LOG.debug("ADMIN [log index {}] {}", index, record);
      }
    }
  }

  // applyElectionControl catches and logs its own failures and reschedules itself.
  @SuppressWarnings("FutureReturnValueIgnored")
  private void scheduleElectionControl(long delayMs) {
    try {
      electionControl.schedule(this::applyElectionControl, delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("Node {} is closed; election control dropped", config.id());
    }
  }

  /*
   * A drained node keeps replicating and voting but must not become leader: its elections are
   * paused (Ratis ignores both its election timeout and a leadership transfer to it). The drained
   * flag is replicated, so this also runs after a restart, once the division is running.
   */
  private void applyElectionControl() {
    if (closed.get()) {
      return;
    }
    boolean pause = drained;
    try {
      RaftClientReply reply =
          server.leaderElectionManagement(
              pause
                  ? LeaderElectionManagementRequest.newPause(
                      adminClientId, selfId, groupId, CALL_IDS.incrementAndGet())
                  : LeaderElectionManagementRequest.newResume(
                      adminClientId, selfId, groupId, CALL_IDS.incrementAndGet()));
      if (!reply.isSuccess()) {
        throw reply.getException();
      }
      LOG.info(
          "Node {} {} its elections",
          config.id(),
          pause ? "paused (drained)" : "resumed (undrained)");
    } catch (IOException | RuntimeException e) {
      // Not running yet (still starting or replaying): try again shortly.
      LOG.debug("Node {} cannot yet change its elections: {}", config.id(), e.toString());
      scheduleElectionControl(20);
    }
  }

  /** Whether the replicated cluster settings mark this node drained. */
  boolean drained() {
    return drained;
  }

  ClusterSettings settings() {
    return settings;
  }

  @Override
  public String toString() {
    return "BatonNode{" + config.id() + "@" + config.self().address() + "}";
  }
}
