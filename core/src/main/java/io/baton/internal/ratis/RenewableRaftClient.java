package io.baton.internal.ratis;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Why a BatonClient does not keep one RaftClient for life.
 *
 * Ratis sends a client's writes through one ordered stream (OrderedAsync's SlidingWindow.Client,
 * named "<clientId>->RAFT"). When a write on it fails for good (its retries ran out at the request
 * timeout, or its first attempt failed after the deadline), Ratis fails that write and every later
 * one in the stream, and records the failure in the stream: every write sent afterwards fails at
 * once with AlreadyClosedException ("SlidingWindow$Client:...->RAFT is closed"), for as long as that
 * RaftClient lives. So a client that once saw an outage longer than its request timeout (a lost
 * quorum, a power loss of every node) would never write again, although the cluster serves.
 *
 * This class holds the current RaftClient (a generation) and replaces it with a new one when a
 * write fails in a way that closes the stream. The old generation is retired: nothing new is sent
 * on it, requests still in flight on it end as Ratis ends them (by the request timeout at the
 * latest), and it is closed on a thread of its own once they have, because closing a RaftClient
 * shuts its gRPC channels down, which can block for seconds.
 *
 * Exactly-once stays as it was. The new RaftClient has a new client id, and Baton never resends a
 * write that may have reached a server: the writes that failed with the old stream were reported to
 * their callers as outcome unknown. The one write that is resent is one that Ratis refused before
 * sending it because its stream was already closed; it never left this process.
 */
/** The Ratis client a {@link RatisBatonClient} sends through, renewed after an outage. Not API. */
final class RenewableRaftClient {
  private static final Logger LOG = LoggerFactory.getLogger(RatisBatonClient.class);

  /** One RaftClient and the requests in flight on it. */
  private static final class Generation {
    final RaftClient client;
    final long number;
    final AtomicInteger inFlight = new AtomicInteger();
    volatile boolean retired;
    final AtomicBoolean closing = new AtomicBoolean();

    Generation(RaftClient client, long number) {
      this.client = client;
      this.number = number;
    }
  }

  private final Function<RaftPeerId, RaftClient> factory;
  private final AtomicReference<Generation> current;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicReference<RaftPeerId> lastLeader = new AtomicReference<>();

  /** {@code factory} makes a RaftClient, starting with the given leader hint (may be null). */
  RenewableRaftClient(Function<RaftPeerId, RaftClient> factory) {
    this.factory = factory;
    this.current = new AtomicReference<>(new Generation(factory.apply(null), 0));
  }

  /** The current RaftClient, for what needs no request (its leader hint). */
  RaftClient current() {
    return current.get().client;
  }

  /** Sends a write through the current generation's ordered stream. */
  CompletableFuture<RaftClientReply> write(Message m) {
    Generation g = acquire();
    CompletableFuture<RaftClientReply> f = sendTracked(g, c -> c.async().send(m), true);
    Throwable refused = failedAtOnce(f);
    if (refused instanceof AlreadyClosedException && !closed.get()) {
      // The stream was closed by an earlier failure that this client has not renewed after yet
      // (or the generation was retired under us): Ratis refused without sending. Send it anew.
      renew(g, refused);
      f = sendTracked(acquire(), c -> c.async().send(m), true);
    }
    return f;
  }

  /** Sends a read through the current generation; reads do not use the ordered stream. */
  <T> CompletableFuture<T> read(Function<RaftClient, CompletableFuture<T>> request) {
    return sendTracked(acquire(), request, false);
  }

  private <T> CompletableFuture<T> sendTracked(
      Generation g, Function<RaftClient, CompletableFuture<T>> request, boolean ordered) {
    CompletableFuture<T> f;
    try {
      f = request.apply(g.client);
    } catch (RuntimeException e) {
      release(g);
      throw e;
    }
    return f.whenComplete(
        (reply, error) -> {
          release(g);
          if (error != null && ordered && closesStream(unwrap(error))) {
            renew(g, unwrap(error));
          } else if (ordered && reply instanceof RaftClientReply r && r.isSuccess()) {
            noteLeader(r.getServerId());
          }
        });
  }

  /*
   * A failure that reaches the caller of an ordered write closes the stream, unless it is a
   * server's answer: Ratis hands a reply's exception (a rejected command, a leader stepping down)
   * to the caller after the stream has recorded the reply, and those are RaftExceptions other than
   * the retry failure and AlreadyClosedException. Everything else (RaftRetryFailureException, the
   * raw IOException of a first attempt past the deadline, AlreadyClosedException) came from
   * SlidingWindow.Client.fail.
   */
  static boolean closesStream(Throwable t) {
    return t instanceof RaftRetryFailureException
        || t instanceof AlreadyClosedException
        || !(t instanceof RaftException);
  }

  private Generation acquire() {
    while (true) {
      Generation g = current.get();
      g.inFlight.incrementAndGet();
      if (!g.retired || closed.get()) {
        return g;
      }
      release(g);
    }
  }

  private void release(Generation g) {
    if (g.inFlight.decrementAndGet() == 0 && g.retired) {
      closeInBackground(g);
    }
  }

  /** Replaces generation {@code g} by a new RaftClient, unless that happened already. */
  private void renew(Generation g, Throwable cause) {
    if (closed.get() || current.get() != g) {
      return;
    }
    RaftPeerId leader = g.client.getLeaderId();
    Generation next = new Generation(factory.apply(leader), g.number + 1);
    if (!current.compareAndSet(g, next)) {
      closeInBackground(next);
      return;
    }
    LOG.warn(
        "Baton client: a command got no answer in time ({}), which ends Ratis's ordered stream"
            + " of this client; commands in flight on it have an unknown outcome. Continuing"
            + " with a new Ratis client (#{}).",
        cause.toString(),
        next.number);
    g.retired = true;
    if (g.inFlight.get() == 0) {
      closeInBackground(g);
    }
  }

  /** Logs once when replies start coming from another leader than before. */
  private void noteLeader(RaftPeerId leader) {
    RaftPeerId before = lastLeader.getAndSet(leader);
    if (before != null && !before.equals(leader)) {
      LOG.info("Baton client: commands now go to leader {} (was {})", leader, before);
    }
  }

  /*
   * Closing a RaftClient shuts its gRPC channels down and waits for them (up to 3 s + 2 s in
   * GrpcUtil.shutdownManagedChannel), so a retired generation is closed on a thread of its own.
   */
  private static void closeInBackground(Generation g) {
    if (!g.closing.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                g.client.close();
              } catch (IOException | RuntimeException e) {
                LOG.debug("closing a replaced Ratis client failed", e);
              }
            },
            "baton-client-close-" + g.number);
    t.setDaemon(true);
    t.start();
  }

  /** Closes the current RaftClient; requests in flight on it fail. */
  void close() throws IOException {
    if (closed.compareAndSet(false, true)) {
      Generation g = current.get();
      g.closing.set(true);
      g.client.close();
    }
  }

  private static Throwable failedAtOnce(CompletableFuture<?> f) {
    if (!f.isCompletedExceptionally()) {
      return null;
    }
    try {
      f.join();
      return null;
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return unwrap(e);
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
