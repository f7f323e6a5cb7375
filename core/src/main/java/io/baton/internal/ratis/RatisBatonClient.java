package io.baton.internal.ratis;

import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.CommandRejectedException;
import io.baton.CommandTimeoutException;
import io.baton.NodeClosedException;
import io.baton.Peer;
import io.baton.QueryRejectedException;
import io.baton.ReadConsistency;
import io.baton.ReplyLostException;
import io.baton.StateMachineHaltedException;
import io.baton.internal.Deadline;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/*
 * Error translation at the Ratis boundary. What the caller knows afterwards decides the type:
 *  - RejectedCommandException / RejectedQueryException from the server: refused before the log
 *    (or by query), so not applied.
 *  - RaftRetryFailureException: retries ran out at the request timeout; outcome unknown.
 *  - AlreadyClosedException: this client was closed.
 *  - anything else: unknown.
 */
/** A {@link BatonClient} over a Ratis client. Not API. */
public final class RatisBatonClient implements BatonClient {
  private final RenewableRaftClient clients;
  private final List<Peer> peers;
  private final Duration requestTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Followers that failed a FOLLOWER read, by id: not chosen again until the deadline passed. */
  private final Map<String, Deadline> suspectFollowers = new ConcurrentHashMap<>();

  /** Runs blocking stale reads: at most 16 at once per client, idle threads end after 30 s. */
  private final ThreadPoolExecutor readPool = newReadPool();

  private static ThreadPoolExecutor newReadPool() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            16,
            16,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "baton-client-read");
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** Batches concurrent commands; null when batching is off. */
  private final CommandBatcher batcher;

  /*
   * Requests outstanding at once when batching. Fewer means larger batches, so fewer log entries
   * per command, at the price of a command waiting for an earlier request to complete before it
   * leaves; more keeps the pipe fuller at low concurrency. With WriteBenchmark (window 64, 2 cores)
   * 1 and 2 gave about the same throughput, 4 and 8 much less (their batches stay small); 2 lets
   * two independent callers both go at once. The system property exists for such measurements.
   */
  static final int BATCHES_IN_FLIGHT = Integer.getInteger("baton.client.batchesInFlight", 2);

  /** Creates a client; see {@link BatonClient.Builder#build()}. */
  public RatisBatonClient(
      List<Peer> peers, String clusterName, Duration requestTimeout, boolean batching) {
    this.peers = List.copyOf(peers);
    this.requestTimeout = requestTimeout;
    RaftGroup group = RaftConfig.group(clusterName, peers);
    this.clients =
        new RenewableRaftClient(
            leader ->
                RaftClient.newBuilder()
                    .setRaftGroup(group)
                    .setLeaderId(leader)
                    .setProperties(RaftConfig.clientProperties())
                    .setRetryPolicy(ClientRetryPolicy.withTimeout(requestTimeout))
                    .build());
    this.batcher =
        batching
            ? new CommandBatcher(
                BATCHES_IN_FLIGHT,
                framed -> sendCommand(Message.valueOf(framed)),
                (f, e) -> f.completeExceptionally(translate(unwrap(e), "command")))
            : null;
  }

  /** Sends one framed command message; completes with the reply's content, status byte first. */
  private CompletableFuture<ByteString> sendCommand(Message m) {
    return retryWhileSteppingDown(() -> clients.write(m))
        .thenApply(
            reply -> {
              if (!reply.isSuccess()) {
                throw new CompletionException(reply.getException());
              }
              return reply.getMessage().getContent();
            });
  }

  @Override
  public byte[] submit(byte[] command) {
    return await(submitAsync(command));
  }

  @Override
  public CompletableFuture<byte[]> submitAsync(byte[] command) {
    Objects.requireNonNull(command, "command");
    checkOpen();
    if (batcher != null) {
      return batcher.submit(command);
    }
    Message m = Message.valueOf(Envelope.app(command));
    return translate(
        retryWhileSteppingDown(() -> clients.write(m)), "command", RatisBatonClient::unframe);
  }

  /** Strips the status byte the servers put before a write reply (see the adapter). */
  static byte[] unframe(ByteString framed) {
    if (framed.isEmpty()) {
      throw new BatonException("command reply is empty; expected a status byte (server too old?)");
    }
    if (framed.byteAt(0) == Replies.LOST) {
      throw new ReplyLostException(
          "command was applied, but its reply was lost: the node that answered the retry had"
              + " restarted since applying it, and replies are not kept across restarts");
    }
    return framed.substring(1).toByteArray();
  }

  @Override
  public byte[] query(byte[] query) {
    return query(query, ReadConsistency.LINEARIZABLE);
  }

  @Override
  public byte[] query(byte[] query, ReadConsistency consistency) {
    return await(queryAsync(query, consistency));
  }

  @Override
  public CompletableFuture<byte[]> queryAsync(byte[] query, ReadConsistency consistency) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(consistency, "consistency");
    checkOpen();
    Message m = Message.valueOf(Envelope.app(query));
    return switch (consistency) {
      case LINEARIZABLE ->
          translate(
              retryRead(() -> clients.read(c -> c.async().sendReadOnlyUnordered(m, null))),
              "query");
      case FOLLOWER -> translate(followerRead(m), "query");
      case STALE -> translate(staleRead(m, randomPeer()), "query");
    };
  }

  @Override
  public byte[] queryNode(String nodeId, byte[] query, ReadConsistency consistency) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(consistency, "consistency");
    if (peers.stream().noneMatch(p -> p.id().equals(nodeId))) {
      throw new IllegalArgumentException("'" + nodeId + "' is not one of the peers " + peers);
    }
    if (consistency == ReadConsistency.LINEARIZABLE) {
      throw new IllegalArgumentException(
          "LINEARIZABLE queries are answered by the leader; use FOLLOWER or STALE with queryNode");
    }
    checkOpen();
    Message m = Message.valueOf(Envelope.app(query));
    RaftPeerId target = RaftPeerId.valueOf(nodeId);
    return await(
        switch (consistency) {
          case FOLLOWER ->
              translate(clients.read(c -> c.async().sendReadOnlyUnordered(m, target)), "query");
          default -> translate(staleRead(m, target), "query");
        });
  }

  /** Baton's own retries (below) pause as long as the retry policy's steady sleep. */
  private static final long RETRY_PAUSE_MILLIS = ClientRetryPolicy.LONGEST_SLEEP.toMillis();

  /** The pause before a write refused by a leader handing over is sent again. */
  private static final long STEPPING_DOWN_PAUSE_MILLIS =
      Long.getLong("baton.client.steppingDownPauseMillis", 1);

  /*
   * During a leadership transfer the old leader refuses requests with LeaderSteppingDownException
   * (or TransferLeadershipException) before they reach its log, and Ratis's client hands that to
   * the caller instead of retrying. Such a request was not applied, so resending it (under a new
   * call id) is safe; the new leader answers within milliseconds. This is what makes a switchover a
   * pause rather than an error. The pause is 1 ms, not the retry policy's 5: a transfer lasts a few
   * milliseconds, the old leader answers at once, and a longer pause would add up to its length to
   * every write caught in the switchover (docs/design.md, Failover).
   */
  private CompletableFuture<RaftClientReply> retryWhileSteppingDown(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send) {
    return retry(send, RatisErrors::isSteppingDown, STEPPING_DOWN_PAUSE_MILLIS);
  }

  /*
   * A read that reaches a node which does not know the current leader (any node during an
   * election, a deposed leader, a follower cut off from the leader) fails with ReadIndexException
   * ("Leader is unknown"), and Ratis's client does not retry it. A read has no effect, so Baton
   * retries it, until the request timeout, as the client does for writes: callers see the failover
   * as latency, not as an error. A FOLLOWER read picks a follower again on every attempt.
   */
  private CompletableFuture<RaftClientReply> retryRead(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send) {
    return retry(send, RatisErrors::isReadRetriable, RETRY_PAUSE_MILLIS);
  }

  /*
   * A FOLLOWER read goes to one follower, and Ratis's client keeps retrying that very node until
   * the request timeout when it is down, removed or cut off. So each follower gets one bounded
   * attempt (FOLLOWER_ATTEMPT); if it fails for any reason but the application's own rejection,
   * the follower is avoided for a while (SUSPECT_FOR) and the read goes to the leader instead,
   * which is at least as fresh (a leader read is linearizable too). The abandoned attempt ends on
   * its own at the request timeout; it has no effect.
   */
  private static final long FOLLOWER_ATTEMPT_MILLIS = 1000;
  private static final Duration SUSPECT_FOR = Duration.ofSeconds(5);

  @SuppressWarnings("FutureReturnValueIgnored") // the nested future is composed, not ignored
  private CompletableFuture<RaftClientReply> followerRead(Message m) {
    Deadline deadline = Deadline.after(requestTimeout);
    java.util.function.Supplier<CompletableFuture<RaftClientReply>> viaLeader =
        () -> clients.read(c -> c.async().sendReadOnlyUnordered(m, null));
    RaftPeerId target = randomFollower();
    if (target == null) {
      return retry(viaLeader, RatisErrors::isReadRetriable, RETRY_PAUSE_MILLIS, deadline);
    }
    Deadline attemptDeadline = deadline.capped(Duration.ofMillis(FOLLOWER_ATTEMPT_MILLIS));
    return retry(
            () -> clients.read(c -> c.async().sendReadOnlyUnordered(m, target)),
            RatisErrors::isReadRetriable,
            20,
            attemptDeadline)
        .orTimeout(FOLLOWER_ATTEMPT_MILLIS, TimeUnit.MILLISECONDS)
        .handle(
            (reply, error) -> {
              Throwable t = error != null ? unwrap(error) : reply.getException();
              if (t == null
                  || (t instanceof StateMachineException && !RatisErrors.isReadRetriable(t))
                  || closed.get()) {
                return error != null
                    ? CompletableFuture.<RaftClientReply>failedFuture(error)
                    : CompletableFuture.completedFuture(reply);
              }
              suspectFollowers.put(target.toString(), Deadline.after(SUSPECT_FOR));
              return retry(viaLeader, RatisErrors::isReadRetriable, RETRY_PAUSE_MILLIS, deadline);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<RaftClientReply> retry(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send,
      java.util.function.Predicate<Throwable> retriable,
      long pauseMillis) {
    return retry(send, retriable, pauseMillis, Deadline.after(requestTimeout));
  }

  @SuppressWarnings("FutureReturnValueIgnored") // the nested future is composed, not ignored
  private CompletableFuture<RaftClientReply> retry(
      java.util.function.Supplier<CompletableFuture<RaftClientReply>> send,
      java.util.function.Predicate<Throwable> retriable,
      long pauseMillis,
      Deadline deadline) {
    return send.get()
        .handle(
            (reply, error) -> {
              Throwable t = error != null ? unwrap(error) : reply.getException();
              if (t != null && retriable.test(t) && !deadline.expired() && !closed.get()) {
                return CompletableFuture.supplyAsync(
                        () -> null,
                        CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS))
                    .thenCompose(v -> retry(send, retriable, pauseMillis, deadline));
              }
              return error != null
                  ? CompletableFuture.<RaftClientReply>failedFuture(error)
                  : CompletableFuture.completedFuture(reply);
            })
        .thenCompose(f -> f);
  }

  /*
   * Ratis's async API sends reads through the same ordered stream as writes, so a read waits for
   * every earlier write of this client and concurrent reads are answered one at a time. Baton sends
   * linearizable reads unordered: a read still sees every write acknowledged before it was sent,
   * which is what linearizability promises. Ratis has no unordered async stale read, so stale reads
   * use its blocking API on a small pool.
   */
  private CompletableFuture<RaftClientReply> staleRead(Message m, RaftPeerId target) {
    return clients.read(
        c ->
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return c.io().sendStaleRead(m, 0, target);
                  } catch (IOException e) {
                    throw new CompletionException(e);
                  }
                },
                readPool));
  }

  /** A random follower not recently suspected, or null if there is none (ask the leader). */
  private RaftPeerId randomFollower() {
    RaftPeerId leader = clients.current().getLeaderId();
    List<Peer> from =
        peers.stream()
            .filter(p -> leader == null || !p.id().equals(leader.toString()))
            .filter(
                p ->
                    Optional.ofNullable(suspectFollowers.get(p.id()))
                        .map(Deadline::expired)
                        .orElse(true))
            .toList();
    if (from.isEmpty()) {
      return null;
    }
    return RaftPeerId.valueOf(from.get(ThreadLocalRandom.current().nextInt(from.size())).id());
  }

  private RaftPeerId randomPeer() {
    return RaftPeerId.valueOf(peers.get(ThreadLocalRandom.current().nextInt(peers.size())).id());
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new NodeClosedException("client is closed");
    }
  }

  private static CompletableFuture<byte[]> translate(
      CompletableFuture<RaftClientReply> f, String what) {
    return translate(f, what, ByteString::toByteArray);
  }

  /** Maps failures to Baton's exceptions and a successful reply's content through {@code body}. */
  private static CompletableFuture<byte[]> translate(
      CompletableFuture<RaftClientReply> f, String what, Function<ByteString, byte[]> body) {
    return f.handle(
        (reply, error) -> {
          if (error != null) {
            throw new CompletionException(translate(unwrap(error), what));
          }
          if (!reply.isSuccess()) {
            throw new CompletionException(translate(reply.getException(), what));
          }
          return body.apply(reply.getMessage().getContent());
        });
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static BatonException translate(Throwable t, String what) {
    if (t instanceof BatonException b) {
      return b;
    }
    if (t instanceof StateMachineException sme) {
      Throwable cause = sme.getCause();
      if (cause instanceof RejectedCommandException) {
        return new CommandRejectedException(what + " rejected: " + cause.getMessage());
      }
      if (cause instanceof RejectedQueryException) {
        return new QueryRejectedException(what + " rejected: " + cause.getMessage());
      }
      if (cause instanceof HaltedException) {
        return new StateMachineHaltedException(cause.getMessage(), sme);
      }
      return new BatonException(what + " failed on the server: " + sme.getMessage(), sme);
    }
    if (t instanceof RaftRetryFailureException) {
      return new CommandTimeoutException(
          what + " got no answer before the request timeout (outcome unknown): " + t.getMessage(),
          t);
    }
    if (t instanceof AlreadyClosedException
        && t.getCause() != null
        && !(t.getCause() instanceof AlreadyClosedException)) {
      // Ratis's ordered stream failed this request together with an earlier one that got no
      // answer in time (SlidingWindow.Client.fail); the client continues on a new stream.
      return new CommandTimeoutException(
          what
              + " failed together with an earlier command of this client that got no answer"
              + " before the request timeout (outcome unknown): "
              + t.getCause(),
          t);
    }
    if (t instanceof AlreadyClosedException) {
      // Ratis also raises this when a connection to a server was closed under a request, e.g.
      // while it was reconnecting to a failed leader: not necessarily our own close().
      return new NodeClosedException(
          what + " failed: a connection was closed (outcome unknown): " + t.getMessage(), t);
    }
    if (t instanceof IOException) {
      return new BatonException(what + " failed (outcome unknown): " + t, t);
    }
    return new BatonException(what + " failed (outcome unknown): " + t, t);
  }

  private byte[] await(CompletableFuture<byte[]> f) {
    try {
      // The retry policy ends the request at the timeout; the extra second only guards against a
      // reply that never comes back at all.
      return f.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = unwrap(e);
      throw c instanceof BatonException b ? b : translate(c, "operation");
    } catch (TimeoutException e) {
      throw new CommandTimeoutException(
          "no answer within " + requestTimeout.toMillis() + " ms (outcome unknown)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while waiting (outcome unknown)", e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (batcher != null) {
        batcher.close();
      }
      readPool.shutdown();
      try {
        clients.close();
      } catch (IOException e) {
        throw new BatonException("error closing client: " + e, e);
      }
    }
  }
}
