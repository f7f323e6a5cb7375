package io.baton;

import io.baton.internal.ratis.RatisBatonAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Operates a running cluster: status, membership (add, remove, replace, promote, demote), planned
 * leadership moves (switchover, drain, failback) and the replica consistency check.
 *
 * <p>Every change is one call that either completes or leaves the cluster as it was:
 *
 * <ul>
 *   <li>only one membership change runs at a time; a second one is refused with {@link
 *       OperationRefusedException} while the first is in progress;
 *   <li>changes are made against the configuration just read (compare-and-set), so two admins
 *       cannot overwrite each other's change;
 *   <li>a change that would leave the cluster without a reachable majority is refused unless
 *       forced;
 *   <li>a node is added only once it has received the state and caught up with the log; until then
 *       it does not count for the quorum;
 *   <li>each action is recorded in the replicated log and logged by the leader with who asked for
 *       it ({@link Builder#actor}).
 * </ul>
 *
 * <p>An admin talks to the nodes over their Raft ports, so it works from any process that can reach
 * them, e.g. {@code baton admin ...} on an operator's machine. Thread-safe, but actions are meant
 * to be issued one at a time.
 *
 * @since 0.1
 */
public interface BatonAdmin extends AutoCloseable {

  /** A builder for an admin. */
  static Builder newBuilder() {
    return new Builder();
  }

  /**
   * An admin of the cluster {@code clusterName}, reached through any of {@code members} (the
   * current members need not all be listed: the rest are found through the configuration).
   */
  static BatonAdmin connect(List<Peer> members, String clusterName) {
    return newBuilder().peers(members).clusterName(clusterName).build();
  }

  /**
   * Every member's role and progress and the current configuration. Members that do not answer
   * within three seconds are shown {@code DOWN}.
   */
  ClusterStatus status();

  /**
   * Adds {@code peer} as a voter (hot standby). The node must be running in join mode ({@link
   * NodeConfig.Builder#join(boolean)}). Baton stages it outside the quorum while it receives the
   * latest snapshot and the log, commits the new configuration, then waits until the node has
   * applied everything committed when it joined and answers as a follower.
   *
   * @throws OperationRefusedException if the node is unreachable, not in join mode, already a
   *     member, or another change is in progress; nothing changed
   * @throws BatonException if the node did not catch up within the operation timeout: it is removed
   *     again, and the configuration is as before
   */
  void addNode(Peer peer);

  /**
   * Adds {@code peer} as a listener (warm standby): it receives the log and snapshots but never
   * votes or leads, and does not count for the quorum. Promote it with {@link #promote}.
   */
  void addListener(Peer peer);

  /** Makes listener {@code id} a voter, once it has caught up. */
  void promote(String id);

  /** Makes voter {@code id} a listener; if it leads, leadership is handed over first. */
  void demote(String id);

  /** Removes member {@code id}; same as {@code removeNodes(List.of(id), false)}. */
  void removeNode(String id);

  /**
   * Removes members. A leader being removed hands leadership over first.
   *
   * @param force allow a removal that leaves fewer reachable voters than a majority, or removes
   *     half or more of the voters at once; the cluster may then stop serving
   * @throws OperationRefusedException naming the reason if the removal would lose quorum and {@code
   *     force} is false
   */
  void removeNodes(List<String> ids, boolean force);

  /**
   * Replaces voter {@code oldId} (typically dead) by {@code replacement}, started in join mode, in
   * one membership change; returns once the replacement has caught up.
   */
  void replaceNode(String oldId, Peer replacement);

  /**
   * Planned failover (switchover) to the best candidate: the most up-to-date reachable voter of the
   * highest priority that is not drained.
   *
   * @return the new leader
   */
  String transferLeadership();

  /**
   * Planned failover (switchover) to {@code targetId}. Writes pause for the milliseconds the
   * transfer takes; clients retry them on the new leader and see no error.
   *
   * @return the new leader
   * @throws OperationRefusedException if the target is not a reachable voter, is drained, or has a
   *     lower priority than another voter while automatic failback is on (leadership would move
   *     back at once)
   */
  String transferLeadership(String targetId);

  /**
   * Drains {@code id} for maintenance: it keeps replicating and voting, but its elections are
   * paused and its priority is put below every other node, so it never becomes leader while
   * drained, even if the leader fails; if it leads, leadership moves away first. Survives restarts
   * of the node.
   */
  void drain(String id);

  /** Reverses {@link #drain}; with automatic failback on, a preferred node then leads again. */
  void undrain(String id);

  /**
   * Sets the leader priority of member {@code id} (0 or more). With automatic failback on,
   * leadership moves to the caught-up node of the highest priority.
   */
  void setPriority(String id, int priority);

  /**
   * Turns automatic failback on or off. When on, leadership returns to the highest-priority node
   * once it is back and caught up; when off, it stays where it is until {@link #failback} or a
   * transfer.
   */
  void setAutoFailback(boolean on);

  /**
   * Manual failback: moves leadership to the highest-priority voter that is reachable and not
   * drained.
   *
   * @return the leader afterwards
   */
  String failback();

  /**
   * Replica consistency check: appends a digest mark to the log, so every replica computes a digest
   * of its state at exactly that log index, and collects them. A replica whose digest differs ran a
   * non-deterministic state machine or has a damaged store.
   */
  VerifyResult verify();

  /** Releases the admin's connections. */
  @Override
  void close();

  /** Builds a {@link BatonAdmin}. Not thread-safe. */
  final class Builder {
    private List<Peer> peers;
    private String clusterName = "baton";
    private Duration operationTimeout = Duration.ofMinutes(5);
    private String actor = defaultActor();
    private Consumer<String> progress = line -> {};

    private Builder() {}

    private static String defaultActor() {
      String host;
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "unknown-host";
      }
      return System.getProperty("user.name", "unknown") + "@" + host;
    }

    /** Some or all current members (required). */
    public Builder peers(List<Peer> peers) {
      Objects.requireNonNull(peers, "peers");
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("peers is empty");
      }
      this.peers = List.copyOf(peers);
      return this;
    }

    /** Members as {@code id=host:port,...}; see {@link Peer#parseList}. */
    public Builder peers(String peers) {
      return peers(Peer.parseList(peers));
    }

    /** The cluster's name (default {@code baton}). */
    public Builder clusterName(String clusterName) {
      this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
      return this;
    }

    /**
     * How long a change may take before it is given up (default 5 minutes): adding a node with a
     * large state is bounded by the time to ship its snapshot.
     */
    public Builder operationTimeout(Duration operationTimeout) {
      Objects.requireNonNull(operationTimeout, "operationTimeout");
      if (operationTimeout.toMillis() < 1000) {
        throw new IllegalArgumentException(
            "operationTimeout must be at least 1 s, was " + operationTimeout);
      }
      this.operationTimeout = operationTimeout;
      return this;
    }

    /** Who is acting, for the audit record (default {@code user@host}). */
    public Builder actor(String actor) {
      this.actor = Objects.requireNonNull(actor, "actor");
      return this;
    }

    /** Receives a line at each step and about once a second while a node catches up. */
    public Builder progress(Consumer<String> progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /** Creates the admin; connects lazily. */
    public BatonAdmin build() {
      if (peers == null) {
        throw new IllegalStateException("peers is required");
      }
      return new RatisBatonAdmin(peers, clusterName, operationTimeout, actor, progress);
    }
  }
}
