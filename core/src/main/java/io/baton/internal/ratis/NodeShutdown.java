package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.internal.Deadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Where the time of a stop goes. RaftServer.close() first closes the division (leader or follower
 * state, log appenders, the log, the state machine and with it the RocksDB store): from then on the
 * node sends nothing and answers no Raft request. Then it stops its gRPC server (the port closes
 * some milliseconds later), closes its outgoing channels and shuts its Netty event loops down
 * gracefully, and that last part takes most of the 0.5-3 s the whole close takes.
 *
 * An abrupt stop is meant to look like a crash and to be over at once, so it returns as soon as the
 * node's port refuses connections (by then the division is closed) and finishes the rest on a
 * thread of its own. The data directory stays in use until that thread is done: a node started
 * again on it waits for the previous instance's close first (awaitPrevious), so two stores never
 * open the same RocksDB directory and Ratis finds its storage unlocked. A graceful stop runs the
 * whole close on the caller's thread: when close() returns, everything is released.
 */
/** Stops a node's parts, at once or, for an abrupt stop, mostly in the background. Not API. */
final class NodeShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(NodeShutdown.class);

  /** Closes in progress in this JVM, by data directory. */
  private static final ConcurrentHashMap<Path, CompletableFuture<Void>> CLOSING =
      new ConcurrentHashMap<>();

  /** The parts of a node, in the order they stop. */
  record Parts(
      Runnable stopWatchers,
      RaftServer server,
      BatonStateMachineAdapter store,
      Runnable deliverDown,
      ExecutorService electionControl,
      ExecutorService roleExecutor) {}

  private final String nodeId;
  private final Path dataDir;
  private final InetSocketAddress address;
  private final Parts parts;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();

  /**
   * @param address where the node's Raft server listens
   */
  NodeShutdown(String nodeId, Path dataDir, InetSocketAddress address, Parts parts) {
    this.nodeId = nodeId;
    this.dataDir = key(dataDir);
    this.address = address;
    this.parts = parts;
  }

  /** Stops everything on this thread. */
  void now() {
    try {
      stopParts();
    } finally {
      finished.complete(null);
    }
  }

  private void stopParts() {
    parts.stopWatchers().run();
    try {
      parts.server().close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Error while stopping node {}: {}", nodeId, e.toString());
    }
    try {
      parts.store().close();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Error while closing the state store of node {}: {}", nodeId, e.toString());
    }
    parts.deliverDown().run();
    parts.electionControl().shutdownNow();
    parts.roleExecutor().shutdown();
    try {
      parts.roleExecutor().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts stopping on a thread of its own and returns once the node is unreachable (its port
   * refuses connections) or stopped, or after {@code bound} at the latest.
   */
  void abruptly(Duration bound) {
    parts.stopWatchers().run();
    CLOSING.put(dataDir, finished);
    Thread t =
        new Thread(
            () -> {
              try {
                stopParts();
              } finally {
                finished.complete(null);
                CLOSING.remove(dataDir, finished);
              }
            },
            "baton-close-" + nodeId);
    // Not a daemon: a JVM that exits right after an abrupt stop still closes the store cleanly.
    t.start();
    Deadline deadline = Deadline.after(bound);
    while (!finished.isDone() && accepts(address)) {
      if (deadline.expired()) {
        LOG.warn(
            "Node {} still accepts connections on {} {} ms after an abrupt stop began",
            nodeId,
            address,
            bound.toMillis());
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /** Waits until this node's close has finished. */
  void awaitFinished(Duration timeout) {
    await(finished, timeout, nodeId);
  }

  /**
   * Waits until a node that was stopped abruptly on {@code dataDir} in this JVM has finished
   * closing, if one was.
   *
   * @throws BatonException if it has not finished within {@code timeout}
   */
  static void awaitPrevious(Path dataDir, Duration timeout) {
    CompletableFuture<Void> previous = CLOSING.get(key(dataDir));
    if (previous != null) {
      await(previous, timeout, "the previous node on " + dataDir);
    }
  }

  private static void await(CompletableFuture<Void> f, Duration timeout, String what) {
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted while waiting for " + what + " to stop", e);
    } catch (ExecutionException e) {
      throw new BatonException(what + " failed to stop: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new BatonException(what + " is still stopping after " + timeout.toMillis() + " ms", e);
    }
  }

  private static Path key(Path dataDir) {
    return dataDir.toAbsolutePath().normalize();
  }

  /** Whether something accepts TCP connections at {@code address}. */
  private static boolean accepts(InetSocketAddress address) {
    try (Socket s = new Socket()) {
      s.connect(address, 100);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
