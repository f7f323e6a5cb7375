package io.baton.examples.demo;

import com.google.protobuf.ByteString;
import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.Peer;
import io.baton.ReadConsistency;
import io.baton.StateDigest;
import io.baton.examples.kv.KvClient;
import io.baton.examples.kv.KvStateMachine;
import io.baton.examples.kv.proto.Entry;
import io.baton.examples.kv.proto.KvQuery;
import io.baton.examples.kv.proto.KvReply;
import io.baton.examples.kv.proto.Scan;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import io.baton.testing.LocalCluster;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
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
 * process, indexes and digests from the nodes. Election time is found by polling the survivors'
 * status about every 0.2 ms, so it is accurate to a fraction of a millisecond.
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
   * Stops the nodes gracefully, the leader first each time: a leader hands leadership to a live
   * follower in milliseconds, whereas a leader whose followers are already gone waits out its
   * transfer timeout before it stops.
   */
  private void closeAll() {
    if (cluster == null) {
      return;
    }
    for (int left = 3; left > 0; left--) {
      int next = -1;
      for (int n = 0; n < 3; n++) {
        if (node(n) != null && (next < 0 || node(n).isLeader())) {
          next = n;
        }
      }
      if (next < 0) {
        return;
      }
      boolean wasLeader = node(next).isLeader();
      cluster.stop(id(next));
      if (wasLeader && left > 2) {
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
    Writer writer = new Writer(kv);
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

  private int failover(Writer writer, Thread thread) {
    out.printf(
        "client writing k-1=v-1, k-2=v-2, ... one at a time, each waiting for its"
            + " acknowledgement%n");
    join(thread, options.writeBeforeKill());

    int victim = awaitLeader(Set.of(0, 1, 2));
    BatonNode dying = cluster.detach(id(victim));
    out.printf(
        "t=%.2f s: killing the leader %s abruptly (closeAbruptly: no handover)%n",
        seconds(System.nanoTime() - startNanos), id(victim));
    // closeAbruptly blocks while the server shuts down; running it on its own thread lets this one
    // watch the survivors from the moment the kill starts.
    long killNanos = System.nanoTime();
    Thread killer = new Thread(() -> LocalCluster.closeAbruptly(dying), "demo-killer");
    killer.start();

    Set<Integer> survivors = new LinkedHashSet<>(List.of(0, 1, 2));
    survivors.remove(victim);
    int leader = awaitLeader(survivors);
    long electedNanos = System.nanoTime();
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
    List<Write> failures = writer.failed();
    report(acks, failures, killNanos, electedNanos, victim);

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
      lost = readBack(reader, alive, acks);
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

  private void report(
      List<Write> acks, List<Write> failures, long killNanos, long electedNanos, int victim) {
    int lastBefore = -1;
    int firstByNewLeader = -1;
    int lateByOldLeader = 0;
    long lastLateNanos = killNanos;
    for (int i = 0; i < acks.size(); i++) {
      long end = acks.get(i).endNanos();
      if (end < killNanos) {
        lastBefore = i;
      } else if (end < electedNanos) {
        // No other node could commit before one became leader, so the dying leader sent these.
        lateByOldLeader++;
        lastLateNanos = end;
      } else if (firstByNewLeader < 0) {
        firstByNewLeader = i;
      }
    }
    if (lastBefore < 0) {
      throw new CheckFailed("no write was acknowledged before the kill; lengthen the run");
    }
    if (firstByNewLeader < 0) {
      throw new CheckFailed("no write was acknowledged by the new leader");
    }
    // Writes are sequential, so the longest silence between acknowledgements from the last one
    // before the kill to the first one from the new leader is how long the client waited.
    long gap = 0;
    for (int i = lastBefore + 1; i <= firstByNewLeader; i++) {
      gap = Math.max(gap, acks.get(i).endNanos() - acks.get(i - 1).endNanos());
    }
    out.printf(
        "writes unavailable (client-observed): %d ms, the longest gap between acknowledged writes"
            + " around the kill; the new leader acknowledged its first write %d ms after the"
            + " kill%n",
        millis(gap), millis(acks.get(firstByNewLeader).endNanos() - killNanos));
    if (lateByOldLeader > 0) {
      out.printf(
          "  (%s still acknowledged %d write(s) in the first %d ms of its shutdown)%n",
          id(victim), lateByOldLeader, millis(lastLateNanos - killNanos));
    }
    long longest = 0;
    for (int i = 1; i < acks.size(); i++) {
      longest = Math.max(longest, acks.get(i).endNanos() - acks.get(i - 1).endNanos());
    }
    out.printf(
        "writes: %d acknowledged, %d failed; slowest write %d ms; longest gap between"
            + " acknowledgements in the whole run %d ms%n",
        acks.size(),
        failures.size(),
        millis(
            Stream.concat(acks.stream(), failures.stream())
                .mapToLong(w -> w.endNanos() - w.startNanos())
                .max()
                .orElse(0)),
        millis(longest));
    failures.stream()
        .limit(3)
        .forEach(
            f -> out.printf("  failed write k-%d: %s (outcome unknown)%n", f.number(), f.error()));
  }

  /**
   * Checks every acknowledged write against each node in {@code alive}, reading that replica's own
   * state; returns how many acknowledged keys were missing or held another value.
   */
  private long readBack(BatonClient client, List<Integer> alive, List<Write> acks) {
    long lost = 0;
    for (int n : alive) {
      Map<String, String> replica = readAll(client, id(n));
      for (Write w : acks) {
        String value = replica.get("k-" + w.number());
        if (!("v-" + w.number()).equals(value) && ++lost <= 5) {
          out.printf("  missing on %s: k-%d (found %s)%n", id(n), w.number(), value);
        }
      }
    }
    return lost;
  }

  /**
   * Every {@code k-} entry of node {@code nodeId}'s state, read in pages with {@link
   * ReadConsistency#STALE} queries that node answers itself: one round trip per page rather than
   * one per key.
   */
  private static Map<String, String> readAll(BatonClient client, String nodeId) {
    Map<String, String> entries = new HashMap<>();
    ByteString prefix = ByteString.copyFromUtf8("k-");
    ByteString after = null;
    while (true) {
      Scan.Builder scan =
          Scan.newBuilder().setPrefix(prefix).setLimit(KvStateMachine.MAX_SCAN_LIMIT);
      if (after != null) {
        scan.setStartAfter(after);
      }
      KvReply page =
          KvStateMachine.REPLIES.decode(
              client.queryNode(
                  nodeId,
                  KvQuery.newBuilder().setScan(scan).build().toByteArray(),
                  ReadConsistency.STALE));
      for (Entry e : page.getEntriesList()) {
        entries.put(e.getKey().toStringUtf8(), e.getValue().toStringUtf8());
        after = e.getKey();
      }
      if (!page.getMore()) {
        return entries;
      }
    }
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

  /** One write by the demo's client: acknowledged if {@code error} is null. */
  private record Write(long number, long startNanos, long endNanos, String error) {}

  /** Writes k-n=v-n for n = 1, 2, ... one at a time until stopped, recording each outcome. */
  private static final class Writer implements Runnable {
    private final KvClient kv;
    private final List<Write> writes = new ArrayList<>(); // guarded by this
    private volatile boolean stopped;

    Writer(KvClient kv) {
      this.kv = kv;
    }

    @Override
    public void run() {
      for (long n = 1; !stopped; n++) {
        long start = System.nanoTime();
        String error = null;
        try {
          kv.put("k-" + n, "v-" + n);
        } catch (RuntimeException e) {
          error = e.toString();
        }
        Write w = new Write(n, start, System.nanoTime(), error);
        synchronized (this) {
          writes.add(w);
        }
      }
    }

    void stop() {
      stopped = true;
    }

    synchronized List<Write> acknowledged() {
      return writes.stream().filter(w -> w.error() == null).toList();
    }

    synchronized List<Write> failed() {
      return writes.stream().filter(w -> w.error() != null).toList();
    }
  }

  /** A check of the demo failed; the message says which. */
  private static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }
}
