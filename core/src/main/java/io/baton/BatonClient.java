package io.baton;

import io.baton.internal.ratis.RatisBatonClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Submits commands to a Baton cluster and queries its state.
 *
 * <p>The client finds the leader itself and follows it across failovers: while no leader is
 * reachable it retries with short sleeps, so callers see latency rather than errors until {@link
 * Builder#requestTimeout} runs out. Retries of one command reuse its request id, and the cluster
 * applies a command at most once per id (for up to 60 s), so a retry after a lost reply is never
 * applied twice. Commands submitted asynchronously by one client are applied in submission order.
 *
 * <p>Failures tell the caller what is known:
 *
 * <ul>
 *   <li>{@link CommandRejectedException}: not applied; the message says why.
 *   <li>{@link CommandTimeoutException}: unknown whether it was applied; retry only if idempotent.
 *   <li>{@link NodeClosedException}: unknown if the command was in flight; not applied if it was
 *       submitted after close.
 *   <li>{@link ReplyLostException}: applied exactly once, reply unknown (the node that answered a
 *       retry had restarted since); do not submit it again, read the state instead.
 *   <li>{@link StateMachineHaltedException}: not applied; the leader's state machine threw from
 *       {@code apply} and that replica stopped applying commands until it is restarted with a fixed
 *       state machine. Retrying helps only once another node leads.
 *   <li>any other {@link BatonException}: unknown, as for a timeout.
 * </ul>
 *
 * <p>Thread-safe; share one client per process. Close it to release its connections.
 *
 * @since 0.1
 */
public interface BatonClient extends AutoCloseable {

  /** A builder for a client. */
  static Builder newBuilder() {
    return new Builder();
  }

  /**
   * Submits a command and waits for the leader to apply it.
   *
   * @return the state machine's reply
   * @throws CommandRejectedException if the command was refused before reaching the log
   * @throws CommandTimeoutException if no reply came within the request timeout
   * @throws NodeClosedException if this client is closed
   * @throws ReplyLostException if the command was applied but its reply is unknown
   * @throws StateMachineHaltedException if the leader's replica halted and did not apply it
   */
  byte[] submit(byte[] command);

  /**
   * Submits a command without waiting for it to be applied. The future completes with the reply, or
   * exceptionally with the exceptions {@link #submit} throws. Commands of one client are applied in
   * the order they were submitted. Commands submitted while earlier ones are in flight travel
   * together in one log entry (see {@link Builder#commandBatching}); each still gets its own reply
   * or rejection. At most 16,384 commands per client wait or are in flight; beyond that this call
   * blocks until one completes. Baton holds on to {@code command} until it is sent: do not modify
   * it before the future completes.
   */
  CompletableFuture<byte[]> submitAsync(byte[] command);

  /** Runs a linearizable query on the leader; see {@link #query(byte[], ReadConsistency)}. */
  byte[] query(byte[] query);

  /**
   * Runs a read-only query.
   *
   * @throws QueryRejectedException if the state machine refused the query as malformed
   * @throws CommandTimeoutException if no answer came within the request timeout
   */
  byte[] query(byte[] query, ReadConsistency consistency);

  /** Runs a read-only query without waiting. */
  CompletableFuture<byte[]> queryAsync(byte[] query, ReadConsistency consistency);

  /**
   * Runs a read-only query on the node {@code nodeId}: {@link ReadConsistency#FOLLOWER} and {@link
   * ReadConsistency#STALE} reads served by that node, for example to read a replica's own state.
   *
   * @throws IllegalArgumentException if {@code nodeId} is not one of the client's peers, or {@code
   *     consistency} is {@link ReadConsistency#LINEARIZABLE} (always answered by the leader)
   */
  byte[] queryNode(String nodeId, byte[] query, ReadConsistency consistency);

  /** Closes the connections. Operations in flight fail with {@link NodeClosedException}. */
  @Override
  void close();

  /** Builds a {@link BatonClient}. Not thread-safe. */
  final class Builder {
    private List<Peer> peers;
    private String clusterName = "baton";
    private Duration requestTimeout = Duration.ofSeconds(30);
    private boolean commandBatching = true;

    private Builder() {}

    /** The cluster's members (required); the client needs to reach at least one live one. */
    public Builder peers(List<Peer> peers) {
      Objects.requireNonNull(peers, "peers");
      if (peers.isEmpty()) {
        throw new IllegalArgumentException("peers must not be empty");
      }
      this.peers = List.copyOf(peers);
      return this;
    }

    /** The cluster's members as {@code id=host:port[,...]}. */
    public Builder peers(String peers) {
      return peers(Peer.parseList(peers));
    }

    /** The cluster's name (default {@code baton}); must match the nodes' {@link NodeConfig}. */
    public Builder clusterName(String clusterName) {
      this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
      return this;
    }

    /**
     * How long one operation may take, retries included, before it fails with {@link
     * CommandTimeoutException} (default 30 s, from 100 ms to 60 s). It bounds how long callers wait
     * through an election or an outage; make it longer than the worst failover you want callers not
     * to notice. It cannot exceed 60 s because servers recognise a retried command for 60 s: a
     * retry after that could be applied twice.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.compareTo(Duration.ofMillis(100)) < 0
          || requestTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
        throw new IllegalArgumentException(
            "requestTimeout (" + requestTimeout + ") must be between 100 ms and 60 s");
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Whether commands submitted while earlier ones are still in flight are sent together, in one
     * log entry (default true). Raft's cost is per log entry, so under concurrent load batching
     * multiplies throughput and cuts latency; a command submitted to an idle client still leaves at
     * once, alone. Each command keeps its own reply, its own rejection (a command the state
     * machine's {@code validate} refuses fails alone; the others of its batch are applied) and its
     * own exactly-once guarantee. Commands of one batch share a log index and differ in {@link
     * io.baton.statemachine.Command#position()}. Turn it off only to measure its effect.
     */
    public Builder commandBatching(boolean enabled) {
      this.commandBatching = enabled;
      return this;
    }

    /**
     * Creates the client. Connections are opened lazily.
     *
     * @throws IllegalStateException if peers are missing
     */
    public BatonClient build() {
      if (peers == null) {
        throw new IllegalStateException("peers is required");
      }
      return new RatisBatonClient(peers, clusterName, requestTimeout, commandBatching);
    }
  }
}
