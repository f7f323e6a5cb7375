package io.baton.torture;

import io.baton.internal.Await;
import io.baton.internal.Deadline;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Baton node JVM ({@code KvNodeMain node ...}) started by the harness. Its output is appended
 * to a log file and watched for role changes ("node n1 is now LEADER (term 3, ...)"), which is how
 * the harness knows the leader without any admin API.
 */
final class NodeProcess {
  private static final Pattern ROLE = Pattern.compile("node (\\S+) is now (\\w+) \\(term (\\d+)");

  /** A role change seen in the node's output, stamped with the harness clock. */
  record RoleEvent(String node, String role, long term, long nanos) {}

  final String id;
  private final List<String> command;
  private final List<String> joinCommand;
  private final Path log;
  private final Consumer<RoleEvent> roleEvents;
  private final Consumer<String> unexpectedExits;

  private Process process;
  private volatile boolean started;
  private final Set<Long> expectedExits = ConcurrentHashMap.newKeySet();
  private volatile boolean paused;
  private volatile String role = "DOWN";
  private volatile long term = -1;
  private int starts;

  NodeProcess(
      String id,
      List<String> command,
      Path log,
      Consumer<RoleEvent> roleEvents,
      Consumer<String> unexpectedExits) {
    this.id = id;
    this.command = List.copyOf(command);
    List<String> join = new ArrayList<>(command);
    join.add("--join");
    this.joinCommand = List.copyOf(join);
    this.log = log;
    this.roleEvents = roleEvents;
    this.unexpectedExits = unexpectedExits;
  }

  /** Starts the JVM (again, after a kill) and returns at once; see {@link #awaitStarted}. */
  void start() {
    start(false);
  }

  /**
   * Starts the JVM and returns at once; with {@code join}, in join mode ({@code --join}): outside
   * the cluster, as a standby waiting to be added.
   */
  synchronized void start(boolean join) {
    List<String> command = join ? joinCommand : this.command;
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("node " + id + " is already running (pid " + pid() + ")");
    }
    started = false;
    paused = false;
    role = "DOWN";
    starts++;
    Process p;
    try {
      Files.writeString(
          log,
          "=== torture: start #" + starts + ": " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + id, e);
    }
    process = p;
    Thread reader = new Thread(() -> pump(p), "torture-log-" + id);
    reader.setDaemon(true);
    reader.start();
    var unused =
        p.onExit()
            .thenRun(
                () -> {
                  if (!expectedExits.contains(p.pid())) {
                    unexpectedExits.accept(
                        "node "
                            + id
                            + " (pid "
                            + p.pid()
                            + ") exited unexpectedly with status "
                            + p.exitValue());
                  }
                });
  }

  private void pump(Process p) {
    String startedLine = "node " + id + " started";
    try (BufferedReader r =
            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter w =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      for (String line; (line = r.readLine()) != null; ) {
        w.write(line);
        w.newLine();
        w.flush();
        if (line.startsWith(startedLine)) {
          started = true;
        }
        Matcher m = ROLE.matcher(line);
        if (m.find() && m.group(1).equals(id)) {
          role = m.group(2);
          term = Long.parseLong(m.group(3));
          roleEvents.accept(new RoleEvent(id, role, term, System.nanoTime()));
        }
      }
    } catch (IOException e) {
      // The process is gone; its exit is reported through onExit.
    }
  }

  /** Waits until the node printed that it started; throws with its log's tail if it did not. */
  void awaitStarted(Duration timeout) {
    Deadline deadline = Deadline.after(timeout);
    while (!started) {
      Process p = current();
      if (!p.isAlive()) {
        throw new IllegalStateException(
            "node " + id + " exited with status " + p.exitValue() + " while starting:\n" + tail());
      }
      if (deadline.expired()) {
        throw new IllegalStateException(
            "node " + id + " did not start within " + timeout.toSeconds() + " s:\n" + tail());
      }
      deadline.pause(Duration.ofMillis(50));
    }
  }

  /** Lines of the node's log since its latest start that contain {@code text}. */
  List<String> linesSinceStart(String text) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      int from = 0;
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).startsWith("=== torture: start #")) {
          from = i;
          break;
        }
      }
      return lines.subList(from, lines.size()).stream().filter(l -> l.contains(text)).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The last lines of the node's log. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private synchronized Process current() {
    if (process == null) {
      throw new IllegalStateException("node " + id + " was never started");
    }
    return process;
  }

  long pid() {
    return current().pid();
  }

  boolean alive() {
    Process p;
    synchronized (this) {
      p = process;
    }
    return p != null && p.isAlive();
  }

  boolean paused() {
    return paused;
  }

  String role() {
    return role;
  }

  long term() {
    return term;
  }

  Path log() {
    return log;
  }

  /**
   * SIGKILLs the JVM and waits for it to be gone.
   *
   * @return the exit status (137 for a SIGKILL), or empty if it had not died within 10 s
   */
  Optional<Integer> kill() {
    Process p = current();
    expectedExits.add(p.pid());
    if (paused) {
      resume();
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    role = "DOWN";
    return Optional.of(p.exitValue());
  }

  /** Stops the JVM gracefully (SIGTERM), SIGKILLing it if it has not exited after {@code grace}. */
  void stop(Duration grace) {
    Process p;
    synchronized (this) {
      p = process;
    }
    if (p == null || !p.isAlive()) {
      return;
    }
    expectedExits.add(p.pid());
    if (paused) {
      resume();
    }
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    role = "DOWN";
  }

  /** SIGSTOPs the JVM; returns its scheduler state afterwards ("T" when stopped). */
  String pause() {
    long pid = pid();
    Shell.check("kill", "-STOP", Long.toString(pid));
    paused = true;
    return awaitState(pid, true);
  }

  /** SIGCONTs the JVM; returns its scheduler state afterwards. */
  String resume() {
    long pid = pid();
    Shell.check("kill", "-CONT", Long.toString(pid));
    paused = false;
    return awaitState(pid, false);
  }

  private static String awaitState(long pid, boolean stopped) {
    return Await.poll(
            Deadline.after(Duration.ofSeconds(1)),
            Duration.ofMillis(20),
            () ->
                Optional.of(state(pid))
                    .filter(state -> stopped == (state.equals("T") || state.equals("t"))))
        .orElseGet(() -> state(pid));
  }

  /** The scheduler state letter of {@code pid} from /proc (R, S, D, T, Z...), or "?" if gone. */
  static String state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name is in parentheses and may contain spaces; the state follows it.
      int close = stat.lastIndexOf(')');
      return stat.substring(close + 2, close + 3);
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }
}
