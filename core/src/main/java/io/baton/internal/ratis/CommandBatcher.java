package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.CommandRejectedException;
import io.baton.NodeClosedException;
import io.baton.ReplyLostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/*
 * Group commit on the client. Commands wait in one FIFO queue; whenever fewer than maxInFlight
 * requests are outstanding, everything waiting (up to MAX_BATCH_COMMANDS and MAX_BATCH_BYTES) leaves
 * as one request. Nothing is ever held back for a timer: a command submitted to an idle client
 * leaves at once, alone, so a lone caller sees no added latency; commands batch up only when the
 * pipe is already full, which is exactly when the per-entry cost of Raft is the bottleneck. This is
 * the classic group commit of databases (and what etcd and SOFAJRaft do at the log level): the
 * batch size adapts to the load.
 *
 * A lone command goes as a plain APP message and comes back as a plain reply, exactly as without
 * batching; two or more go as one BATCH message (CommandBatch). One thread at a time takes batches
 * off the queue and sends them (the "drainer"), so requests leave in queue order and commands reach
 * the log in submission order, as Ratis's ordered async stream keeps one client's requests in order.
 * No lock of the batcher is held while calling Ratis, and a completion never sends itself: Ratis
 * completes replies (and fails them, on close or timeout) while holding its sliding window's lock,
 * which a send needs too, so waiting there would deadlock, and a send nested in a failing window
 * corrupts its sequence numbers. Completions hand the next send to the batcher's own thread.
 * Once closed, nothing is sent: waiting commands fail with NodeClosedException, not applied.
 */
/** Batches a client's concurrent commands into shared requests. Not API. */
final class CommandBatcher {
  /** The most commands in one batch. */
  static final int MAX_BATCH_COMMANDS = 4096;

  /** The most command bytes in one batch; a larger command goes alone. */
  static final int MAX_BATCH_BYTES = 256 << 10;

  /** Commands waiting or in flight at most; submit blocks beyond that. */
  static final int MAX_PENDING_COMMANDS = 16_384;

  /** A command waiting for its reply. */
  @SuppressWarnings("ArrayRecordComponent") // carries bytes; never compared or hashed
  private record Pending(byte[] command, CompletableFuture<byte[]> reply) {}

  private final int maxInFlight;
  private final Function<ByteString, CompletableFuture<ByteString>> send;
  private final BiConsumer<CompletableFuture<byte[]>, Throwable> fail;
  private final Semaphore capacity = new Semaphore(MAX_PENDING_COMMANDS);
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // guarded by itself
  private int inFlight; // guarded by queue

  /** Drain requests not yet served; the thread that moves it from 0 drains. */
  private final AtomicInteger drainRequests = new AtomicInteger();

  private volatile boolean closed;

  /** Sends what completions free up room for (see above). */
  private final ExecutorService sender =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "baton-client-batcher");
            t.setDaemon(true);
            return t;
          });

  /**
   * A batcher keeping at most {@code maxInFlight} requests outstanding.
   *
   * @param send sends one framed message and completes with the framed reply content (the status
   *     byte first), or fails as the request did
   * @param fail fails a command's future with the translation of a request's failure
   */
  CommandBatcher(
      int maxInFlight,
      Function<ByteString, CompletableFuture<ByteString>> send,
      BiConsumer<CompletableFuture<byte[]>, Throwable> fail) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    this.maxInFlight = maxInFlight;
    this.send = send;
    this.fail = fail;
  }

  /** Queues {@code command}, blocking while {@link #MAX_PENDING_COMMANDS} are pending. */
  CompletableFuture<byte[]> submit(byte[] command) {
    try {
      capacity.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while waiting to submit (not submitted)", e);
    }
    Pending p = new Pending(command, new CompletableFuture<>());
    synchronized (queue) {
      queue.add(p);
    }
    if (closed) {
      failWaiting();
    } else {
      drain();
    }
    return p.reply();
  }

  /**
   * Stops sending: commands not yet sent fail with {@link NodeClosedException} (never applied);
   * those in flight fail as the closing Ratis client fails them. Call before closing that client.
   */
  void close() {
    closed = true;
    sender.shutdown();
    failWaiting();
  }

  private void failWaiting() {
    List<Pending> waiting;
    synchronized (queue) {
      waiting = new ArrayList<>(queue);
      queue.clear();
    }
    capacity.release(waiting.size());
    NodeClosedException e = new NodeClosedException("client is closed; command not sent");
    waiting.forEach(p -> p.reply().completeExceptionally(e));
  }

  /** Commands queued and not yet sent. */
  int waiting() {
    synchronized (queue) {
      return queue.size();
    }
  }

  /**
   * Sends what may be sent, unless another thread is doing so: that thread then goes round once
   * more for this call. Never blocks on another drainer.
   */
  @SuppressWarnings("FutureReturnValueIgnored") // the callback completes every command's future
  private void drain() {
    if (drainRequests.getAndIncrement() != 0) {
      return;
    }
    int served = 1;
    do {
      while (!closed) {
        List<Pending> batch;
        synchronized (queue) {
          if (inFlight >= maxInFlight || queue.isEmpty()) {
            break;
          }
          batch = takeBatch();
          inFlight++;
        }
        CompletableFuture<ByteString> reply;
        try {
          reply = send.apply(frame(batch));
        } catch (RuntimeException e) {
          reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, e) -> completed(batch, r, e));
      }
      served = drainRequests.addAndGet(-served);
    } while (served != 0);
  }

  private List<Pending> takeBatch() {
    List<Pending> batch = new ArrayList<>();
    long bytes = 0;
    while (!queue.isEmpty() && batch.size() < MAX_BATCH_COMMANDS) {
      int next = queue.peek().command().length;
      if (!batch.isEmpty() && bytes + next > MAX_BATCH_BYTES) {
        break;
      }
      batch.add(queue.poll());
      bytes += next;
    }
    return batch;
  }

  private static ByteString frame(List<Pending> batch) {
    if (batch.size() == 1) {
      return Envelope.app(batch.get(0).command());
    }
    List<byte[]> commands = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      commands.add(p.command());
    }
    return CommandBatch.encodeCommands(commands);
  }

  private void completed(List<Pending> batch, ByteString reply, Throwable error) {
    capacity.release(batch.size());
    synchronized (queue) {
      inFlight--;
    }
    if (closed) {
      failWaiting();
    } else {
      try {
        sender.execute(this::drain);
      } catch (RejectedExecutionException e) {
        failWaiting(); // closed meanwhile
      }
    }
    if (error != null) {
      batch.forEach(p -> fail.accept(p.reply(), error));
      return;
    }
    if (batch.size() == 1) {
      complete(batch.get(0).reply(), () -> RatisBatonClient.unframe(reply));
      return;
    }
    List<CommandBatch.Item> replies;
    try {
      replies = unframeBatch(reply, batch.size());
    } catch (RuntimeException e) {
      batch.forEach(p -> p.reply().completeExceptionally(e));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      CommandBatch.Item item = replies.get(i);
      CompletableFuture<byte[]> f = batch.get(i).reply();
      if (item.rejected()) {
        f.completeExceptionally(new CommandRejectedException("command rejected: " + item.reason()));
      } else {
        f.complete(item.bytes());
      }
    }
  }

  private static void complete(
      CompletableFuture<byte[]> f, java.util.function.Supplier<byte[]> reply) {
    try {
      f.complete(reply.get());
    } catch (RuntimeException e) {
      f.completeExceptionally(e);
    }
  }

  /** The per-command replies of a batch reply, checked against the batch's size. */
  static List<CommandBatch.Item> unframeBatch(ByteString framed, int expected) {
    if (framed.isEmpty()) {
      throw new BatonException("batch reply is empty; expected a status byte");
    }
    byte status = framed.byteAt(0);
    if (status == Replies.LOST) {
      throw new ReplyLostException(
          "commands were applied, but their replies were lost: the node that answered the retry"
              + " had restarted since applying them, and replies are not kept across restarts");
    }
    if (status != Replies.BATCH) {
      throw new BatonException("batch reply has unexpected status " + status);
    }
    List<CommandBatch.Item> replies;
    try {
      replies = CommandBatch.decodeReply(framed.substring(1));
    } catch (IllegalArgumentException e) {
      throw new BatonException("malformed batch reply (outcome unknown): " + e.getMessage(), e);
    }
    if (replies.size() != expected) {
      throw new BatonException(
          "batch reply has " + replies.size() + " replies for " + expected + " commands");
    }
    return replies;
  }
}
