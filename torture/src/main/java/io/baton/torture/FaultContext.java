package io.baton.torture;

import io.baton.examples.kv.KvClient;
import io.baton.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * What every fault family shares while the nemesis runs: the cluster and its network, the history
 * and the workload, the one seeded random that fixes the schedule, a client for marker writes, and
 * the small steps several families take (choosing a target, holding a fault, watching for a new
 * leader, counting dropped packets).
 *
 * <p>Used by the nemesis thread only, except {@link #stop()}.
 */
final class FaultContext {
  private static final Duration PAUSE_STEP = Duration.ofMillis(100);

  final TortureOptions options;
  final Cluster cluster;
  final Network network;
  final History history;
  final Workload workload;
  final Random random;
  private volatile boolean stopping;
  private KvClient kv;
  private int markers;

  FaultContext(TortureOptions options, Cluster cluster, History history, Workload workload) {
    this.options = options;
    this.cluster = cluster;
    this.network = cluster.network();
    this.history = history;
    this.workload = workload;
    this.random = new Random(options.seed());
  }

  /** The nemesis's client for marker writes and reads; set while the schedule runs. */
  KvClient kv() {
    return kv;
  }

  void connect(KvClient client) {
    this.kv = client;
  }

  void stop() {
    stopping = true;
  }

  /**
   * Waits {@code millis} (nothing if not positive), ending early when the nemesis is stopped;
   * returns false if it was stopped or interrupted.
   */
  boolean pause(long millis) {
    Deadline until = Deadline.after(Duration.ofMillis(Math.max(0, millis)));
    while (!stopping && until.pause(PAUSE_STEP)) {
      // holding the fault, or quiet between faults
    }
    return !stopping && !Thread.currentThread().isInterrupted();
  }

  /** How long to hold a fault: a random time in [min, max) ms, within the budget, at least 1 s. */
  long hold(long min, long max, long budget) {
    return Math.max(1000, Math.min(budget, min + (long) (random.nextDouble() * (max - min))));
  }

  /**
   * A node chosen for a fault on one process, with what was known when it was chosen.
   *
   * @param node the node's id
   * @param leader the leader at the time, if known
   * @param term the highest term announced so far
   * @param hold how long to hold the fault, in ms
   */
  record NodeChoice(String node, Optional<String> leader, long term, long hold) {
    /** Whether the chosen node was the leader. */
    boolean leaderChosen() {
      return leader.isPresent() && leader.get().equals(node);
    }

    /** The node, marked as the leader if it is. */
    String label() {
      return FaultContext.label(node, leader);
    }
  }

  /**
   * Chooses a node ({@link #pickTarget}) and a hold time ({@link #hold}) for a fault on one
   * process.
   */
  NodeChoice chooseNode(long minHold, long maxHold, long budget) {
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    String target = pickTarget(leader);
    return new NodeChoice(target, leader, term, hold(minHold, maxHold, budget));
  }

  /** The leader half the time (when there is one), otherwise any node. */
  String pickTarget(Optional<String> leader) {
    List<String> ids = cluster.ids();
    if (leader.isPresent() && random.nextBoolean()) {
      return leader.get();
    }
    return ids.get(random.nextInt(ids.size()));
  }

  /** {@code node}, marked as the leader if it is. */
  static String label(String node, Optional<String> leader) {
    return node + (leader.isPresent() && leader.get().equals(node) ? " (leader)" : "");
  }

  /** Records which node took over from {@code old} and how fast, or that none did in time. */
  void observeNewLeader(Fault f, String old, long term, Duration within, long since) {
    Optional<NodeProcess.RoleEvent> e = cluster.awaitNewLeader(old, term, within);
    if (e.isPresent()) {
      f.evidence(
          e.get().node()
              + " became leader in term "
              + e.get().term()
              + " after "
              + Math.max(0, (e.get().nanos() - since) / 1_000_000)
              + " ms");
    } else {
      f.evidence("no new leader announced within " + within.toMillis() + " ms");
    }
  }

  /** A marker key never used before in this run. */
  String nextMarkerKey() {
    markers++;
    return "nemesis/m" + markers;
  }

  /** Proves a network fault by its rules' packet counters ({@code kind}: the rule's name). */
  void countDrops(Fault f, String kind) {
    Map<String, Long> counters = network.dropCounters();
    long total = 0;
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Long> e : counters.entrySet()) {
      if (e.getKey().endsWith(kind)) {
        total += e.getValue();
        if (e.getValue() > 0) {
          parts.add(e.getKey().replace(" " + kind, "") + " " + e.getValue());
        }
      }
    }
    if (total > 0) {
      f.proof(total + " packets dropped (" + kind + "): " + String.join(", ", parts));
    } else {
      f.problem("the " + kind + " rules dropped no packets: the fault blocked nothing");
    }
  }
}
