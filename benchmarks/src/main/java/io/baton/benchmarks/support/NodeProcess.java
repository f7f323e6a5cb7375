package io.baton.benchmarks.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node JVM of a {@link ProcessCluster}: started with its command, SIGKILLed, started again on
 * the same data directory. A reader thread turns the node's output into {@link RoleLine}s, stamped
 * with this JVM's {@link System#nanoTime()} as each line arrives, and keeps the last lines for
 * error messages.
 *
 * <p>Two kinds of lines are read: Ratis's own role changes ({@code n2@group-...: changes role from
 * FOLLOWER to CANDIDATE at term 3 ...}, logged by the server as it changes role, before it asks for
 * votes), which show candidacy and election, and the {@code node} command's lines ({@code node n2
 * is now LEADER (term 4, leader n2)}), printed once the leader is ready: it committed an entry of
 * its term.
 */
final class NodeProcess {
  private static final Pattern RATIS_ROLE =
      Pattern.compile("(\\S+)@group-\\S+: changes role from\\s+\\w+ to (\\w+) at term (\\d+)");
  private static final Pattern NODE_ROLE =
      Pattern.compile("node (\\S+) is now (\\w+) \\(term (\\d+)");
  private static final int TAIL_LINES = 40;

  /** The system property naming a directory to copy every node's output to. */
  static final String OUTPUT_DIR = "baton.bench.nodeOutput";

  /** What a role line says. */
  enum Kind {
    /** Ratis: the node became a candidate (its election timer fired). */
    CANDIDATE,
    /** Ratis: the node won an election. */
    ELECTED,
    /** The node command: the node is a ready leader. */
    READY,
    /** The node command: the node follows a leader, or has none. */
    FOLLOWER
  }

  /** A role line of node {@code node}, seen at {@code nanos}. */
  record RoleLine(String node, Kind kind, long term, long nanos) {}

  /** Receives role lines, on the reader threads. */
  interface Listener {
    void onRoleLine(RoleLine line);
  }

  final String id;
  private final List<String> command;
  private final Listener listener;
  private final Deque<String> tail = new ArrayDeque<>(); // guarded by itself
  private Process process;
  private volatile boolean started;
  private volatile long exitNanos;

  NodeProcess(String id, List<String> command, Listener listener) {
    this.id = id;
    this.command = List.copyOf(command);
    this.listener = listener;
  }

  /** Starts the JVM (again after a kill) and waits until the node command says it started. */
  void start(Duration timeout) {
    started = false;
    exitNanos = 0;
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + id, e);
    }
    synchronized (this) {
      process = p;
    }
    Thread reader = new Thread(() -> read(p), "bench-node-output-" + id);
    reader.setDaemon(true);
    reader.start();
    var unused = p.onExit().thenRun(() -> exitNanos = System.nanoTime());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!started) {
      if (!p.isAlive()) {
        throw new IllegalStateException("node " + id + " exited while starting:\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "node " + id + " did not start in " + timeout + ":\n" + tail());
      }
      sleep(10);
    }
  }

  private void read(Process p) {
    String startedLine = "node " + id + " started";
    try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter copy = outputCopy()) {
      for (String line; (line = r.readLine()) != null; ) {
        long now = System.nanoTime();
        parse(line, now);
        if (copy != null) {
          copy.println(line);
          copy.flush();
        }
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        if (line.startsWith(startedLine)) {
          started = true;
        }
      }
    } catch (IOException e) {
      // The process is gone; whoever waits for it sees that.
    }
  }

  /**
   * Where the node's whole output is appended as well, if {@value #OUTPUT_DIR} names a directory
   * ({@code <dir>/<id>.log}), for looking into a run; otherwise null.
   */
  private PrintWriter outputCopy() throws IOException {
    String dir = System.getProperty(OUTPUT_DIR);
    if (dir == null) {
      return null;
    }
    Path file = Files.createDirectories(Path.of(dir)).resolve(id + ".log");
    return new PrintWriter(
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
  }

  private void parse(String line, long now) {
    Matcher ratis = RATIS_ROLE.matcher(line);
    if (ratis.find() && ratis.group(1).equals(id)) {
      Kind kind =
          switch (ratis.group(2)) {
            case "CANDIDATE" -> Kind.CANDIDATE;
            case "LEADER" -> Kind.ELECTED;
            default -> null;
          };
      if (kind != null) {
        listener.onRoleLine(new RoleLine(id, kind, Long.parseLong(ratis.group(3)), now));
      }
      return;
    }
    Matcher node = NODE_ROLE.matcher(line);
    if (node.find() && node.group(1).equals(id)) {
      Kind kind = node.group(2).equals("LEADER") ? Kind.READY : Kind.FOLLOWER;
      listener.onRoleLine(new RoleLine(id, kind, Long.parseLong(node.group(3)), now));
    }
  }

  /** SIGKILLs the JVM and returns at once; {@link #awaitExit} waits for it to be gone. */
  void kill() {
    current().destroyForcibly();
  }

  /** Waits until the JVM has exited. */
  void awaitExit(Duration timeout) throws InterruptedException {
    if (!current().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("node " + id + " did not exit in " + timeout);
    }
  }

  /** When this JVM saw the process exit ({@link System#nanoTime()}), or 0 while it runs. */
  long exitNanos() {
    return exitNanos;
  }

  boolean alive() {
    return current().isAlive();
  }

  /** The CPU time the node's JVM has used so far (zero if the platform does not say). */
  Duration cpuTime() {
    return current().toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The node's last lines of output. */
  String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  private synchronized Process current() {
    if (process == null) {
      throw new IllegalStateException("node " + id + " was never started");
    }
    return process;
  }

  /** Sleeps, turning an interrupt into an exception (the benchmark then fails). */
  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
