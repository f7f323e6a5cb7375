package io.baton;

import io.baton.internal.ratis.RatisBatonNode;
import io.baton.statemachine.RoleListener;
import io.baton.statemachine.StateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One replica of a Baton cluster: a Raft server that replicates commands to its peers and applies
 * them to its {@link StateMachine}, whose state it keeps in its own RocksDB store.
 *
 * <p>Start one per node of the cluster with the same peer list; they elect a leader among
 * themselves. Every node holds the full state (hot standby): when the leader fails, another is
 * elected after the {@link FailureDetection} timeout and serves at once. A node restarted on its
 * data directory opens its state where it left off and replays only the log after it.
 *
 * <pre>{@code
 * try (BatonNode node = BatonNode.start(config, new Counter())) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. Clients talk to the cluster through {@link BatonClient}; a node does not submit
 * commands itself.
 *
 * @since 0.1
 */
public interface BatonNode extends AutoCloseable {

  /** A builder for a node. */
  static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Starts a node with {@code config} running {@code stateMachine}; same as {@code
   * newBuilder().config(config).stateMachine(stateMachine).start()}.
   */
  static BatonNode start(NodeConfig config, StateMachine stateMachine) {
    return newBuilder().config(config).stateMachine(stateMachine).start();
  }

  /** This node's id. */
  String id();

  /** This node's configuration. */
  NodeConfig config();

  /** This node's current view of the cluster. Cheap; does not contact other nodes. */
  NodeStatus status();

  /**
   * Whether this node is the leader and has committed an entry of its term, so it serves writes.
   */
  boolean isLeader();

  /** The leader this node knows of, if any. */
  Optional<String> leaderId();

  /**
   * Computes a digest of this replica's whole state, with the apply thread paused for the duration
   * so the digest matches exactly one applied index. Reads the whole store: an operational check
   * (compare it across replicas, as {@code BatonAdmin.verify()} does through the log), not for a
   * hot path.
   *
   * @throws NodeStorageException if the store cannot be read
   */
  StateDigest stateDigest();

  /**
   * Takes a snapshot now, whatever the {@link SnapshotPolicy}, and purges the log up to it.
   *
   * @return the log index the snapshot covers
   * @throws BatonException if the snapshot failed; the previous snapshot and the log are unchanged
   */
  long takeSnapshot();

  /**
   * Hands leadership to {@code targetId} (planned switchover): this node, which must be the leader,
   * brings the target's log up to date, then tells it to start an election at once. Writes pause
   * for the few milliseconds this takes; clients retry them on the new leader.
   *
   * @throws NotLeaderException if this node is not the leader, or no longer: leadership may move
   *     between the caller's check and this call. Nothing was changed; the exception names the
   *     leader this node knew of
   * @throws IllegalArgumentException if {@code targetId} is not a voting member
   * @throws BatonException if the transfer did not complete within {@code timeout}; leadership may
   *     then be anywhere
   */
  void transferLeadership(String targetId, Duration timeout);

  /**
   * Stops this node gracefully: if it is the leader, it first hands leadership to the most
   * up-to-date follower, so the cluster does not wait for an election timeout; then it stops its
   * server and closes its store. Idempotent.
   */
  @Override
  void close();

  /** Builds and starts a {@link BatonNode}. Not thread-safe. */
  final class Builder {
    private NodeConfig config;
    private StateMachine stateMachine;
    private final List<RoleListener> roleListeners = new ArrayList<>();

    private Builder() {}

    /** The node's configuration (required). */
    public Builder config(NodeConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The state machine this node replicates (required). Every node of a cluster must run the same
     * state machine (same class and version). The node owns it from {@link #start()} on.
     */
    public Builder stateMachine(StateMachine stateMachine) {
      this.stateMachine = Objects.requireNonNull(stateMachine, "stateMachine");
      return this;
    }

    /** Adds a listener for this node's role changes: how leader-only duties start and stop. */
    public Builder addRoleListener(RoleListener listener) {
      roleListeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Opens the data directory, starts the Raft server and joins the cluster. Returns once the
     * server is running; a leader may not be elected yet.
     *
     * @throws IllegalStateException if {@code config} or {@code stateMachine} is missing
     * @throws NodeStorageException if the node's state store or snapshots are damaged, missing or
     *     behind its Raft log; the message says how to bring the node back
     * @throws BatonException if the data directory belongs to another node or cluster, the Raft log
     *     is damaged, or the port is taken
     */
    public BatonNode start() {
      if (config == null) {
        throw new IllegalStateException("config is required");
      }
      if (stateMachine == null) {
        throw new IllegalStateException("stateMachine is required");
      }
      return RatisBatonNode.start(config, stateMachine, roleListeners);
    }
  }
}
