package io.baton.examples.demo;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.Peer;
import io.baton.StateDigest;
import io.baton.examples.demo.DemoWriter.Write;
import io.baton.examples.kv.KvClient;
import io.baton.examples.kv.KvStateMachine;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import io.baton.testing.ElectionWatch;
import io.baton.testing.LocalCluster;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The unplanned-failover demonstration: three {@link KvStateMachine} nodes in this JVM, a client
 * writing without pause, the leader killed abruptly, and then the evidence, measured and printed in
 * plain words: who took over and when, how long the client could not write, whether any
 * acknowledged write was lost, and how the killed node catches up when restarted.
 *
 * <p>All numbers printed are measured in this run: times by {@link System#nanoTime()} in this
 * process, indexes and digests from the nodes. The phases of the failover (detection, election,
 * first commit, client; {@link DemoReport}) are found by polling the survivors' status about every
 * 0.1 ms ({@link ElectionWatch}), so they are accurate to a fraction of a millisecond.
 */
public final class FailoverDemo {
  private static final String CLUSTER = "baton-demo";
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * How to run the demo.
   *
   * @param profile the failure-detection profile of the three nodes
   * @param writeBeforeKill how long the client writes before the leader is killed
   * @param writeAfterKill how long it keeps writing once a new leader serves
   * @param dataDir where the nodes keep their data: empty or absent, or null for a temporary
   *     directory that is deleted when the demo passes
   */
  public record Options(
      FailureDetection profile, Duration writeBeforeKill, Duration writeAfterKill, Path dataDir) {
    public Options {
      Objects.requireNonNull(profile, "profile");
      Objects.requireNonNull(writeBeforeKill, "writeBeforeKill");
      Objects.requireNonNull(writeAfterKill, "writeAfterKill");
    }

    /** The defaults: profile DEFAULT, two seconds of writes either side of the kill, temp data. */
    public static Options defaults() {
      return new Options(
          FailureDetection.DEFAULT, Duration.ofSeconds(2), Duration.ofSeconds(2), null);
    }
  }

  private final Options options;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private LocalCluster cluster;

  private FailoverDemo(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the demo, printing to {@code out}.
   *
   * @return 0 if every check passed; 1, after a line saying which check failed, otherwise
   */
  public static int run(Options options, PrintStream out) {
    return new FailoverDemo(Objects.requireNonNull(options, "options"), out).run();
  }

  private int run() {
    boolean tempDir = options.dataDir() == null;
    Path dir;
    try {
      dir = tempDir ? TempDirs.create("baton-demo-") : prepare(options.dataDir());
    } catch (IOException | UncheckedIOException e) {
      out.println("demo failed: cannot create a data directory: " + e.getMessage());
      return 1;
    }
    int status;
    try {
      status = runIn(dir);
    } catch (CheckFailed e) {
      out.println("check failed: " + e.getMessage());
      status = 1;
    } catch (RuntimeException e) {
      out.println("demo failed: " + e);
      status = 1;
    } finally {
      closeAll();
    }
    if (status == 0 && tempDir) {
      TempDirs.deleteRecursively(dir);
    } else if (status != 0) {
      out.println("data kept for inspection in " + dir);
    }
    out.println(status == 0 ? "demo passed" : "demo FAILED");
    return status;
  }

  /**
   * Stops the nodes gracefully, the leader first each time, while another node runs to take over: a
   * leader hands leadership to a live follower in milliseconds, whereas a leader whose followers
   * have all stopped finds nobody that answers it and stops without a hand-over. The last node has
   * nobody to hand over to: a graceful stop would wait up to a minimum election timeout for an
   * answer before saying so, so {@link LocalCluster#close()} stops it abruptly instead.
   */
  private void closeAll() {
    if (cluster == null) {
      return;
    }
    while (cluster.liveIds().size() > 1) {
      int next = -1;
      for (int n = 0; n < 3; n++) {
        if (node(n) != null && (next < 0 || node(n).isLeader())) {
          next = n;
        }
      }
      boolean wasLeader = node(next).isLeader();
      cluster.stop(id(next));
      if (wasLeader && cluster.liveIds().size() > 1) {
        awaitLeaderQuietly();
      }
    }
    cluster.close();
  }

  private void awaitLeaderQuietly() {
    Await.until(
        Duration.ofSeconds(2),
        Duration.ofMillis(1),
        () -> cluster.liveNodes().stream().anyMatch(BatonNode::isLeader));
  }

  private static Path prepare(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("data directory " + dir + " must be empty");
        }
      }
    }
    return Files.createDirectories(dir).toAbsolutePath();
  }

  private int runIn(Path dir) {
    FailureDetection profile = options.profile();
    out.printf(
        "Baton failover demo: 3 kv nodes on 127.0.0.1, failure detection %s (election timeout"
            + " %d-%d ms)%n",
        profile, profile.electionTimeoutMin().toMillis(), profile.electionTimeoutMax().toMillis());
    out.println("data directory: " + dir);

    long startingNanos = System.nanoTime();
    cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .baseDir(dir)
            .stateMachines(id -> new KvStateMachine())
            .failureDetection(profile)
            .configure(b -> b.clusterName(CLUSTER))
            .start();
    List<Peer> peers = cluster.peers();
    int first = awaitLeader(Set.of(0, 1, 2));
    out.printf(
        "started %s; %s leads (elected %d ms after the nodes started)%n",
        peers.stream().map(Peer::toString).collect(Collectors.joining(", ")),
        id(first),
        millis(System.nanoTime() - startingNanos));

    try (BatonClient client = newClient()) {
      KvClient kv = new KvClient(client);
      return failover(kv);
    }
  }

  private BatonClient newClient() {
    return BatonClient.newBuilder()
        .peers(cluster.peers())
        .clusterName(CLUSTER)
        .requestTimeout(REQUEST_TIMEOUT)
        .build();
  }

  private int failover(KvClient kv) {
    DemoWriter writer = new DemoWriter(kv);
    Thread thread = new Thread(writer, "demo-writer");
    thread.setDaemon(true);
    thread.start();
    try {
      return failover(writer, thread);
    } finally {
      // Stops it on every path: a check that failed midway must not leave it writing.
      writer.stop();
    }
  }

  private int failover(DemoWriter writer, Thread thread) {
    out.printf(
        "client writing k-1=v-1, k-2=v-2, ... one at a time, each waiting for its"
            + " acknowledgement%n");
    join(thread, options.writeBeforeKill());

    int victim = awaitLeader(Set.of(0, 1, 2));
    BatonNode dying = cluster.detach(id(victim));
    out.printf(
        "t=%.2f s: killing the leader %s abruptly (closeAbruptly: no handover)%n",
        seconds(System.nanoTime() - startNanos), id(victim));
    Set<Integer> survivors = new LinkedHashSet<>(List.of(0, 1, 2));
    survivors.remove(victim);
    ElectionWatch watch = new ElectionWatch(survivors.stream().map(this::node).toList());
    // closeAbruptly blocks until the node's port is closed; running it on its own thread lets this
    // one watch the survivors from the moment the kill starts.
    long killNanos = System.nanoTime();
    watch.arm();
    Thread killer = new Thread(() -> LocalCluster.closeAbruptly(dying), "demo-killer");
    killer.start();

    try {
      watch.awaitReady(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckFailed("interrupted");
    } catch (IllegalStateException e) {
      throw new CheckFailed(e.getMessage());
    } finally {
      watch.close();
    }
    int leader = Integer.parseInt(watch.newLeader().substring(1)) - 1;
    long electedNanos = watch.readyNanos();
    out.printf(
        "%s took over: serving as leader %d ms after the kill (polled from node status)%n",
        id(leader), millis(electedNanos - killNanos));
    join(killer, WAIT);
    if (killer.isAlive()) {
      throw new CheckFailed("closeAbruptly of " + id(victim) + " did not return");
    }

    join(thread, options.writeAfterKill());
    writer.stop();
    join(thread, REQUEST_TIMEOUT.plusSeconds(5));
    if (thread.isAlive()) {
      throw new CheckFailed("the writer did not stop");
    }
    out.printf(
        "stopped the client %.1f s after the new leader took over%n",
        seconds(System.nanoTime() - electedNanos));

    List<Write> acks = writer.acknowledged();
    try {
      new DemoReport(out).outage(acks, writer.failed(), killNanos, watch, id(victim));
    } catch (IllegalStateException e) {
      throw new CheckFailed(e.getMessage());
    }

    List<Integer> alive = new ArrayList<>(survivors);
    awaitConverged(alive, leader);
    // An entry can still commit after the wait above (a client retry that was in flight), so the
    // digests are compared only when both were taken at the same applied index.
    StateDigest[] digests = new StateDigest[2];
    boolean sameIndex =
        Await.until(
            WAIT,
            Duration.ofMillis(20),
            () -> {
              digests[0] = node(alive.get(0)).stateDigest();
              digests[1] = node(alive.get(1)).stateDigest();
              return digests[0].appliedIndex() == digests[1].appliedIndex();
            });
    StateDigest a = digests[0];
    StateDigest b = digests[1];
    if (!sameIndex) {
      throw new CheckFailed(
          "survivors did not reach one applied index within "
              + WAIT.toSeconds()
              + " s: "
              + a
              + ", "
              + b);
    }
    long index = a.appliedIndex();
    if (!a.equals(b)) {
      throw new CheckFailed(
          "survivor state digests differ: "
              + id(alive.get(0))
              + " "
              + a
              + ", "
              + id(alive.get(1))
              + " "
              + b);
    }
    out.printf(
        "survivors %s and %s both applied up to index %d; their state digests are equal%n",
        id(alive.get(0)), id(alive.get(1)), index);

    long lost;
    // A fresh client: the writer's may still be tearing down connections it reset during the
    // failover, which was seen to stall its next request to that node for seconds.
    try (BatonClient reader = newClient()) {
      lost = new LostWrites(reader, out).count(alive.stream().map(this::id).toList(), acks);
    }
    out.printf(
        "lost acknowledged writes: %d (each of the %d acknowledged keys checked in the state"
            + " of %s and of %s)%n",
        lost, acks.size(), id(alive.get(0)), id(alive.get(1)));
    if (lost > 0) {
      throw new CheckFailed("acknowledged writes are missing on a surviving replica");
    }
    restart(victim, leader);
    return 0;
  }

  /** Waits until every node in {@code alive} has applied the leader's commit index; returns it. */
  private void awaitConverged(List<Integer> alive, int leader) {
    await(
        "survivors to apply the same index",
        () -> {
          long commit = node(leader).status().commitIndex();
          return alive.stream().allMatch(n -> node(n).status().appliedIndex() == commit);
        });
  }

  private void restart(int victim, int leader) {
    long restartNanos = System.nanoTime();
    cluster.restart(id(victim));
    out.printf("restarted %s on its data directory%n", id(victim));
    Deadline deadline = Deadline.after(WAIT);
    long nextPrint = System.nanoTime();
    while (true) {
      long mine = node(victim).status().appliedIndex();
      long theirs = node(leader).status().appliedIndex();
      boolean caughtUp = mine == theirs && theirs == node(leader).status().commitIndex();
      if (caughtUp || System.nanoTime() >= nextPrint) {
        out.printf(
            "  t=+%d ms: %s applied index %d, leader %s %d%n",
            millis(System.nanoTime() - restartNanos), id(victim), mine, id(leader), theirs);
        nextPrint += TimeUnit.MILLISECONDS.toNanos(200);
      }
      if (caughtUp) {
        break;
      }
      if (!deadline.pause(Duration.ofMillis(5))) {
        throw new CheckFailed(id(victim) + " did not catch up within " + WAIT.toSeconds() + " s");
      }
    }
    StateDigest restarted = node(victim).stateDigest();
    StateDigest leading = node(leader).stateDigest();
    if (!restarted.equals(leading)) {
      throw new CheckFailed(
          id(victim)
              + " caught up but its digest "
              + restarted
              + " differs from the leader's "
              + leading);
    }
    out.printf(
        "%s caught up in %d ms; its state digest equals the leader's (index %d, sha256 %s...)%n",
        id(victim),
        millis(System.nanoTime() - restartNanos),
        restarted.appliedIndex(),
        restarted.sha256().substring(0, 12));
  }

  private int awaitLeader(Set<Integer> candidates) {
    int[] found = {-1};
    await(
        "a leader among " + candidates.stream().map(this::id).toList(),
        () -> {
          for (int n : candidates) {
            if (node(n) != null && node(n).isLeader()) {
              found[0] = n;
              return true;
            }
          }
          return false;
        });
    return found[0];
  }

  /** Polls {@code condition} about every 0.2 ms until it holds; fails after {@link #WAIT}. */
  private static void await(String what, BooleanSupplier condition) {
    if (!Await.until(WAIT, Duration.ofNanos(200_000), condition)) {
      throw new CheckFailed("timed out after " + WAIT.toSeconds() + " s waiting for " + what);
    }
  }

  private static void join(Thread thread, Duration timeout) {
    try {
      // Returns early only if the writer died, which the checks that follow then report.
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CheckFailed("interrupted");
    }
  }

  private String id(int n) {
    return "n" + (n + 1);
  }

  /** Node {@code n} (0-based) if it is running, else null. */
  private BatonNode node(int n) {
    return cluster.liveIds().contains(id(n)) ? cluster.node(id(n)) : null;
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /** A check of the demo failed; the message says which. */
  private static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }
}
