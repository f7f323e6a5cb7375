package io.baton.torture;

import io.baton.internal.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/*
 * Message delay without netem. The kernels this runs on have no netem qdisc, so latency between
 * nodes comes from a TCP proxy in the harness JVM, as etcd's functional tester does it.
 *
 * NamespaceNetwork opens one listener per ordered pair of nodes (a, b) and installs, inside a's
 * namespace, a DNAT rule that sends a's connections for b's address:port to that listener. The
 * proxy accepts, connects to b's real address from an address that stands for a on the bridge,
 * and pumps bytes both ways. Clients in the harness connect to the nodes directly: their
 * connections start in the root namespace, where no rule redirects them.
 *
 * Each direction of a connection has one thread, which reads a chunk (what one read() returns),
 * stamps it with a release time and writes it out when that time comes:
 *
 *  - With no delay on the link and nothing queued, a chunk is written at once by the reading
 *    thread: the proxy then costs one extra read and write per chunk.
 *  - With a delay, a chunk is released at its receive time plus the delay (base plus uniform
 *    jitter), but never before the chunk ahead of it: release times are forced to be
 *    non-decreasing, so jitter never reorders bytes within a connection. While chunks wait, the
 *    thread reads with a socket timeout that ends when the head of its queue is due, so one thread
 *    both receives and releases. A direction holds at most MAX_QUEUED_BYTES; beyond that it stops
 *    reading until chunks are released, as a real link with a full window would.
 *
 * A delay is the link's latency, not a bandwidth limit: chunks received 1 ms apart leave 1 ms
 * apart, each delayed by the same amount. End of stream is passed on (shutdownOutput) after the
 * queue has drained; an error on either side closes both sockets.
 *
 * Counters give the evidence: chunks delayed per link since the delay was set, and the latency
 * the proxy measured as added (time written minus time received) for each delayed chunk.
 */
/** A TCP proxy between nodes that adds latency, in order, to the links of chosen nodes. */
final class DelayProxy implements AutoCloseable {
  private static final int CHUNK_BYTES = 64 * 1024;
  private static final long MAX_QUEUED_BYTES = 4L << 20;
  private static final int CONNECT_TIMEOUT_MILLIS = 5000;

  /**
   * Which directions are delayed: every byte sent by or to one of {@code nodes}.
   *
   * @param nodes the nodes whose links are slow
   * @param baseNanos added to every chunk
   * @param jitterNanos up to this much more, uniformly at random per chunk
   */
  record Rule(Set<String> nodes, long baseNanos, long jitterNanos) {
    static final Rule NONE = new Rule(Set.of(), 0, 0);

    Rule {
      nodes = Set.copyOf(nodes);
    }

    boolean applies(String from, String to) {
      return baseNanos + jitterNanos > 0 && (nodes.contains(from) || nodes.contains(to));
    }
  }

  /**
   * What the proxy did since the last {@link #delay} (the window) and in all (totals).
   *
   * @param connections connections accepted in all
   * @param chunks chunks forwarded in all
   * @param bytes bytes forwarded in all
   * @param delayedChunks chunks held back by a delay in the window
   * @param releasedChunks those of them written out so far
   * @param addedNanosTotal the latency measured as added to the released ones, summed
   * @param addedNanosMax the largest latency measured as added to one chunk
   * @param delayedByLink delayed chunks per direction ("n1->n2") in the window
   */
  record Stats(
      long connections,
      long chunks,
      long bytes,
      long delayedChunks,
      long releasedChunks,
      long addedNanosTotal,
      long addedNanosMax,
      Map<String, Long> delayedByLink) {

    double meanAddedMillis() {
      return releasedChunks == 0 ? 0 : addedNanosTotal / 1e6 / releasedChunks;
    }
  }

  private final InetAddress bindAddress;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "torture-proxy");
            t.setDaemon(true);
            return t;
          });
  private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile Rule rule = Rule.NONE;
  private volatile boolean closed;

  private final AtomicLong connections = new AtomicLong();
  private final LongAdder chunks = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final AtomicInteger queued = new AtomicInteger();
  private final Object window = new Object();
  private long delayedChunks;
  private long releasedChunks;
  private long addedNanosTotal;
  private long addedNanosMax;
  private final Map<String, Long> delayedByLink = new TreeMap<>();

  /** A proxy whose listeners bind to {@code bindAddress}. */
  DelayProxy(InetAddress bindAddress) {
    this.bindAddress = bindAddress;
  }

  /**
   * Opens a listener for node {@code from}'s connections to node {@code to}, forwarded to {@code
   * target} from {@code source} (any local address if null).
   *
   * @return the listener's port on the bind address
   */
  int listen(String from, String to, InetSocketAddress target, InetAddress source) {
    if (closed) {
      throw new IllegalStateException("proxy is closed");
    }
    ServerSocket server;
    try {
      server = new ServerSocket(0, 50, bindAddress);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a proxy listener on " + bindAddress, e);
    }
    listeners.add(server);
    threads.execute(() -> accept(server, from, to, target, source));
    return server.getLocalPort();
  }

  /**
   * Delays every chunk sent by or to one of {@code nodes} by {@code base} plus up to {@code jitter}
   * (uniform); chunks already queued keep their release times. Starts a new counting window.
   */
  void delay(Set<String> nodes, Duration base, Duration jitter) {
    if (base.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("base (" + base + ") and jitter (" + jitter + ") < 0");
    }
    synchronized (window) {
      delayedChunks = 0;
      releasedChunks = 0;
      addedNanosTotal = 0;
      addedNanosMax = 0;
      delayedByLink.clear();
    }
    rule = new Rule(nodes, base.toNanos(), jitter.toNanos());
  }

  /** Removes the delay: new chunks pass at once, queued ones still wait for their release time. */
  void clear() {
    rule = Rule.NONE;
  }

  /** The delay in force. */
  Rule rule() {
    return rule;
  }

  /** Waits until no chunk is queued; false if some still were after {@code timeout}. */
  boolean awaitDrained(Duration timeout) {
    return Await.until(timeout, Duration.ofMillis(10), () -> queued.get() == 0);
  }

  Stats stats() {
    synchronized (window) {
      return new Stats(
          connections.get(),
          chunks.sum(),
          bytes.sum(),
          delayedChunks,
          releasedChunks,
          addedNanosTotal,
          addedNanosMax,
          Map.copyOf(delayedByLink));
    }
  }

  private void accept(
      ServerSocket server, String from, String to, InetSocketAddress target, InetAddress source) {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      connections.incrementAndGet();
      threads.execute(() -> connect(client, from, to, target, source));
    }
  }

  private void connect(
      Socket client, String from, String to, InetSocketAddress target, InetAddress source) {
    Socket upstream = new Socket();
    Connection c = new Connection(client, upstream);
    try {
      client.setTcpNoDelay(true);
      if (source != null) {
        upstream.bind(new InetSocketAddress(source, 0));
      }
      upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      // The node behind is down or cut off: the caller sees its connection closed.
      c.abort();
      return;
    }
    if (closed) {
      c.abort();
      return;
    }
    threads.execute(() -> pump(c, upstream, client, to, from));
    pump(c, client, upstream, from, to);
  }

  /** Both sockets of one proxied connection. */
  private final class Connection {
    private final Socket a;
    private final Socket b;
    private final AtomicInteger running = new AtomicInteger(2);

    Connection(Socket a, Socket b) {
      this.a = a;
      this.b = b;
      sockets.add(a);
      sockets.add(b);
    }

    void pumpDone() {
      if (running.decrementAndGet() == 0) {
        abort();
      }
    }

    void abort() {
      closeQuietly(a);
      closeQuietly(b);
      sockets.remove(a);
      sockets.remove(b);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Closing a broken socket: nothing left to do.
    }
  }

  /** Bytes read at {@code received}, to be written at {@code release}. */
  private static final class Chunk {
    final byte[] data;
    final long received;
    final long release;
    final boolean delayed;

    Chunk(byte[] data, long received, long release, boolean delayed) {
      this.data = data;
      this.received = received;
      this.release = release;
      this.delayed = delayed;
    }
  }

  /**
   * Moves bytes from {@code in} to {@code out} (data flowing from node {@code from} to {@code to}).
   */
  private void pump(Connection c, Socket in, Socket out, String from, String to) {
    String link = from + "->" + to;
    ArrayDeque<Chunk> queue = new ArrayDeque<>();
    long queuedBytes = 0;
    long lastRelease = Long.MIN_VALUE;
    byte[] buf = new byte[CHUNK_BYTES];
    boolean eof = false;
    try {
      InputStream is = in.getInputStream();
      OutputStream os = out.getOutputStream();
      while (true) {
        long now = System.nanoTime();
        Chunk head = queue.peekFirst();
        if (head != null && head.release - now <= 0) {
          os.write(head.data);
          if (head.delayed) {
            recordAdded(System.nanoTime() - head.received);
          }
          queue.removeFirst();
          queuedBytes -= head.data.length;
          queued.decrementAndGet();
          continue;
        }
        if (eof || queuedBytes >= MAX_QUEUED_BYTES) {
          if (head == null) {
            break;
          }
          if (!Sleeper.sleep(Math.max(1, (head.release - now) / 1_000_000))) {
            break; // the proxy is closing
          }
          continue;
        }
        in.setSoTimeout(head == null ? 0 : (int) Math.max(1, (head.release - now) / 1_000_000));
        int n;
        try {
          n = is.read(buf);
        } catch (SocketTimeoutException e) {
          continue; // the head of the queue is due
        }
        if (n < 0) {
          eof = true;
          continue;
        }
        long received = System.nanoTime();
        chunks.increment();
        bytes.add(n);
        Rule r = rule;
        boolean delayed = r.applies(from, to);
        if (!delayed && queue.isEmpty()) {
          os.write(buf, 0, n);
          continue;
        }
        long release = received;
        if (delayed) {
          long jitter =
              r.jitterNanos() > 0 ? ThreadLocalRandom.current().nextLong(r.jitterNanos() + 1) : 0;
          release += r.baseNanos() + jitter;
          synchronized (window) {
            delayedChunks++;
            delayedByLink.merge(link, 1L, Long::sum);
          }
        }
        if (lastRelease != Long.MIN_VALUE && release - lastRelease < 0) {
          release = lastRelease; // never overtake the chunk ahead: bytes stay in order
        }
        lastRelease = release;
        byte[] copy = new byte[n];
        System.arraycopy(buf, 0, copy, 0, n);
        queue.addLast(new Chunk(copy, received, release, delayed));
        queuedBytes += n;
        queued.incrementAndGet();
      }
      out.shutdownOutput();
    } catch (IOException e) {
      c.abort();
    } finally {
      queued.addAndGet(-queue.size());
      c.pumpDone();
    }
  }

  private void recordAdded(long nanos) {
    synchronized (window) {
      releasedChunks++;
      addedNanosTotal += nanos;
      addedNanosMax = Math.max(addedNanosMax, nanos);
    }
  }

  /** Closes every listener and connection and stops the proxy's threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
    rule = Rule.NONE;
    for (ServerSocket s : listeners) {
      try {
        s.close();
      } catch (IOException e) {
        // Closing: nothing left to do.
      }
    }
    for (Socket s : sockets) {
      closeQuietly(s);
    }
    sockets.clear();
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
