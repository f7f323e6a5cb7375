package io.baton.torture;

import io.baton.BatonClient;
import io.baton.ReadConsistency;
import io.baton.examples.kv.KvClient;
import io.baton.torture.check.OpType;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/*
 * The fault schedule. One seeded Random decides everything the nemesis does, so a seed reproduces
 * the same sequence of faults (their timing relative to the clients' operations still varies).
 *
 * The schedule is a series of cycles: quiet for 2-4 s, inject one fault, hold it, heal it, and wait
 * until the cluster serves a linearizable read again. Fault families come in shuffled rounds, so a
 * short run sees each enabled family before any repeats. Faults never overlap, and the run ends
 * healed.
 *
 * Every fault must prove it happened, or the run fails (a harness whose faults silently do nothing
 * passes everything):
 *  - kill: the JVM is gone with exit status 137 (SIGKILL);
 *  - pause: /proc/<pid>/stat shows the stopped state T;
 *  - partition: the DROP rules' packet counters are non-zero, and a marker write committed by the
 *    majority is absent on every node cut off from it, read there with a STALE read;
 *  - loss: the statistic rules dropped packets.
 * Leader changes after faults on the leader are recorded as observations.
 *
 * In the deliberately broken mode, each partition that cuts off a minority also runs a probe that
 * makes a stale read certain: write v1 to a fresh register before the cut, write v2 through the
 * majority after it, then read the register with a STALE read on the cut-off node. That node cannot
 * have v2 (the marker proves the cut), so the read returns v1 after v2 was acknowledged: a
 * linearizability violation the checker must report every time.
 */
/** Injects faults into a running cluster on a seeded schedule and records each with evidence. */
final class Nemesis {
  private final TortureOptions options;
  private final Cluster cluster;
  private final Network network;
  private final History history;
  private final Workload workload;
  private final Random random;
  private final PrintStream log;
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final List<String> notExercised = new ArrayList<>();
  private final List<String> probeKeys = new CopyOnWriteArrayList<>();
  private final List<String> recoveryProblems = new CopyOnWriteArrayList<>();
  private final List<Long> recoveryMillis = new CopyOnWriteArrayList<>();
  private final Set<NemesisKind> enabled;
  private volatile Fault current;
  private volatile boolean stopping;
  private BatonClient client;
  private KvClient kv;
  private int markers;

  Nemesis(
      TortureOptions options,
      Cluster cluster,
      History history,
      Workload workload,
      PrintStream log) {
    this.options = options;
    this.cluster = cluster;
    this.network = cluster.network();
    this.history = history;
    this.workload = workload;
    this.random = new Random(options.seed());
    this.log = log;
    Set<NemesisKind> kinds = EnumSet.noneOf(NemesisKind.class);
    for (NemesisKind k : options.nemeses()) {
      if (k.needsNetwork() && !network.injectsFaults()) {
        notExercised.add(k.label() + ": NOT EXERCISED (" + network.limitation() + ")");
      } else {
        kinds.add(k);
      }
    }
    this.enabled = kinds;
  }

  /** Nemesis families asked for but impossible here, with the reason. */
  List<String> notExercised() {
    return List.copyOf(notExercised);
  }

  List<Fault> faults() {
    return List.copyOf(faults);
  }

  /** Register keys written by the broken mode's probes whose stale read completed. */
  List<String> probeKeys() {
    return List.copyOf(probeKeys);
  }

  List<String> recoveryProblems() {
    return List.copyOf(recoveryProblems);
  }

  List<Long> recoveryMillis() {
    return List.copyOf(recoveryMillis);
  }

  /** The fault in progress, for progress lines. */
  String currentDescription() {
    Fault f = current;
    if (f == null) {
      return "none";
    }
    return String.format(
        Locale.ROOT,
        "#%d %s (%.1fs)",
        f.number,
        f.description(),
        (history.now() - f.startNanos()) / 1e9);
  }

  void stop() {
    stopping = true;
  }

  /** Runs the schedule until {@code endNanos} (history time); every fault is healed on return. */
  void run(long endNanos) {
    client =
        BatonClient.newBuilder()
            .peers(cluster.peers())
            .requestTimeout(Duration.ofSeconds(10))
            .build();
    kv = new KvClient(client);
    try {
      List<NemesisKind> round = new ArrayList<>();
      while (!stopping) {
        if (!pause(2000 + random.nextInt(2000)) || remainingMillis(endNanos) < 6000) {
          break;
        }
        if (enabled.isEmpty()) {
          continue;
        }
        if (round.isEmpty()) {
          round.addAll(enabled);
          round.sort(null);
          Collections.shuffle(round, random);
        }
        NemesisKind kind = round.remove(0);
        Fault f = new Fault(faults.size() + 1, kind, kind.label(), history.now());
        faults.add(f);
        current = f;
        try {
          inject(f, remainingMillis(endNanos) - 2000);
        } catch (RuntimeException e) {
          f.problem("nemesis failed: " + Workload.describe(e));
          healEverything(f::problem);
        } finally {
          f.end(history.now());
          current = null;
        }
        log.printf(
            Locale.ROOT,
            "[%5.0fs] fault #%d %s: %s%n",
            history.now() / 1e9,
            f.number,
            f.description(),
            f.ok() ? "proven" : "PROBLEM " + f.problems());
        awaitRecovery(f);
      }
    } finally {
      client.close();
    }
  }

  private long remainingMillis(long endNanos) {
    return (endNanos - history.now()) / 1_000_000;
  }

  private boolean pause(long millis) {
    long until = System.nanoTime() + millis * 1_000_000;
    while (!stopping && System.nanoTime() < until) {
      if (!Sleeper.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)))) {
        return false;
      }
    }
    return !stopping;
  }

  private long hold(long min, long max, long budget) {
    return Math.max(1000, Math.min(budget, min + (long) (random.nextDouble() * (max - min))));
  }

  private void inject(Fault f, long budgetMillis) {
    switch (f.kind) {
      case KILL -> kill(f, budgetMillis);
      case PAUSE -> pauseNode(f, budgetMillis);
      case PARTITION -> partition(f, budgetMillis);
      case LOSS -> loss(f, budgetMillis);
    }
  }

  private String pickTarget(Optional<String> leader) {
    List<String> ids = cluster.ids();
    if (leader.isPresent() && random.nextBoolean()) {
      return leader.get();
    }
    return ids.get(random.nextInt(ids.size()));
  }

  private static String label(String node, Optional<String> leader) {
    return node + (leader.isPresent() && leader.get().equals(node) ? " (leader)" : "");
  }

  private void kill(Fault f, long budget) {
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    String target = pickTarget(leader);
    long hold = hold(1000, 5000, budget);
    f.describe("kill -9 " + label(target, leader) + ", restart after " + hold + " ms");
    NodeProcess node = cluster.node(target);
    long pid = node.pid();
    Optional<Integer> status = node.kill();
    if (status.isPresent() && status.get() == 137 && !node.alive()) {
      f.proof("pid " + pid + " is gone, exit status 137 (SIGKILL)");
    } else {
      f.problem("pid " + pid + " did not die of SIGKILL: status " + status);
    }
    long started = System.nanoTime();
    if (leader.isPresent() && leader.get().equals(target)) {
      observeNewLeader(f, target, term, Duration.ofMillis(hold), started);
    }
    pause(hold - (System.nanoTime() - started) / 1_000_000);
    long restart = System.nanoTime();
    node.start();
    node.awaitStarted(options.recoveryTimeout());
    f.evidence(
        "restarted as pid "
            + node.pid()
            + ", serving after "
            + (System.nanoTime() - restart) / 1_000_000
            + " ms");
  }

  private void pauseNode(Fault f, long budget) {
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    String target = pickTarget(leader);
    long hold = hold(2000, 6000, budget);
    f.describe("SIGSTOP " + label(target, leader) + " for " + hold + " ms");
    NodeProcess node = cluster.node(target);
    long pid = node.pid();
    String state = node.pause();
    if (state.equals("T") || state.equals("t")) {
      f.proof("pid " + pid + " stopped (/proc state " + state + ")");
    } else {
      f.problem("pid " + pid + " not stopped after SIGSTOP: /proc state " + state);
    }
    long started = System.nanoTime();
    try {
      if (leader.isPresent() && leader.get().equals(target)) {
        observeNewLeader(f, target, term, Duration.ofMillis(hold), started);
      }
      pause(hold - (System.nanoTime() - started) / 1_000_000);
    } finally {
      String after = node.resume();
      if (after.equals("T") || after.equals("t")) {
        f.problem("pid " + pid + " still stopped after SIGCONT");
      } else {
        f.evidence("resumed (/proc state " + after + ")");
      }
    }
  }

  private void observeNewLeader(Fault f, String old, long term, Duration within, long since) {
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

  private enum Cut {
    ISOLATE_FOLLOWER,
    ISOLATE_LEADER,
    SPLIT,
    BRIDGE
  }

  private void partition(Fault f, long budget) {
    List<String> ids = cluster.ids();
    Optional<String> leader = cluster.leader();
    List<Cut> cuts = new ArrayList<>(List.of(Cut.ISOLATE_FOLLOWER, Cut.SPLIT));
    if (leader.isPresent()) {
      cuts.add(Cut.ISOLATE_LEADER);
      if (!options.brokenStaleReads()) {
        cuts.add(Cut.BRIDGE); // no side is cut off from a majority, so no broken-mode probe
      }
    }
    Cut cut = cuts.get(random.nextInt(cuts.size()));
    List<String> others = new ArrayList<>(ids);
    leader.ifPresent(others::remove);
    Set<String> minority = new LinkedHashSet<>();
    List<String[]> pairs = new ArrayList<>();
    String text;
    switch (cut) {
      case ISOLATE_LEADER -> {
        minority.add(leader.orElseThrow());
        text = "isolate leader " + leader.get();
      }
      case ISOLATE_FOLLOWER -> {
        minority.add(others.get(random.nextInt(others.size())));
        text = "isolate follower " + minority.iterator().next();
      }
      case SPLIT -> {
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, random);
        minority.addAll(shuffled.subList(0, (ids.size() - 1) / 2));
        List<String> majority = new ArrayList<>(ids);
        majority.removeAll(minority);
        text = "split " + minority + " | " + majority;
      }
      default -> {
        // Bridge: the leader's side and the far side see only the bridge node, which sees all.
        Collections.shuffle(others, random);
        String bridge = others.get(0);
        List<String> near = new ArrayList<>(List.of(leader.orElseThrow()));
        List<String> far = new ArrayList<>();
        List<String> rest = others.subList(1, others.size());
        for (int i = 0; i < rest.size(); i++) {
          (i < rest.size() / 2 ? near : far).add(rest.get(i));
        }
        if (far.isEmpty()) {
          far.add(near.remove(near.size() - 1));
        }
        for (String a : near) {
          for (String b : far) {
            pairs.add(new String[] {a, b});
          }
        }
        text = "bridge " + near + " | " + bridge + " | " + far;
      }
    }
    if (!minority.isEmpty()) {
      for (String a : minority) {
        for (String b : ids) {
          if (!minority.contains(b)) {
            pairs.add(new String[] {a, b});
          }
        }
      }
    }
    long hold = hold(3000, 8000, budget);
    f.describe("partition: " + text + " for " + hold + " ms");

    String probeKey = null;
    String probeOld = null;
    int probeProcess = -1;
    if (options.brokenStaleReads() && !minority.isEmpty()) {
      probeKey = workload.probeKey();
      probeProcess = workload.newProcess();
      probeOld = probeWrite(probeProcess, probeKey);
    }

    long started = System.nanoTime();
    long term = cluster.maxTerm();
    try {
      for (String[] p : pairs) {
        network.block(p[0], p[1]);
        network.block(p[1], p[0]);
      }
      f.evidence("DROP rules installed for " + pairs.size() + " node pairs, both directions");
      if (!minority.isEmpty()) {
        checkMarker(f, minority);
      }
      if (probeKey != null && probeOld != null) {
        probeStaleRead(f, probeProcess, probeKey, minority.iterator().next());
      }
      if (cut == Cut.ISOLATE_LEADER) {
        observeNewLeader(f, leader.orElseThrow(), term, Duration.ofMillis(hold), started);
      }
      pause(hold - (System.nanoTime() - started) / 1_000_000);
      countDrops(f, "blocked");
    } finally {
      network.heal();
      f.evidence("healed: every rule flushed");
    }
  }

  /** Writes a marker through the majority; a node cut off from it must not have it. */
  private void checkMarker(Fault f, Set<String> minority) {
    markers++;
    String key = "nemesis/m" + markers;
    String value = "f" + f.number;
    try {
      kv.put(key, value);
    } catch (RuntimeException e) {
      f.evidence("marker " + key + " not acknowledged (" + Workload.describe(e) + ")");
      return;
    }
    for (String node : minority) {
      try {
        Optional<String> seen = kv.get(key, ReadConsistency.STALE, node);
        if (seen.isPresent()) {
          f.problem(
              "partition leaked: " + node + " has marker " + key + " written by the majority");
        } else {
          f.proof("marker " + key + " committed by the majority is absent on " + node);
        }
      } catch (RuntimeException e) {
        f.evidence("could not read marker on " + node + ": " + Workload.describe(e));
      }
    }
  }

  private void countDrops(Fault f, String kind) {
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

  private String probeWrite(int process, String key) {
    String v = workload.uniqueValue();
    History.Pending p = history.invoke(process, key, OpType.WRITE, v, null);
    try {
      p.ok(kv.put(key, v).orElse(null));
      return v;
    } catch (RuntimeException e) {
      p.unknown(Workload.describe(e));
      return null;
    }
  }

  private void probeStaleRead(Fault f, int process, String key, String node) {
    String v = workload.uniqueValue();
    History.Pending w = history.invoke(process, key, OpType.WRITE, v, null);
    try {
      w.ok(kv.put(key, v).orElse(null));
    } catch (RuntimeException e) {
      w.unknown(Workload.describe(e));
      f.evidence("broken-mode probe on " + key + ": second write not acknowledged; no probe");
      return;
    }
    History.Pending r = history.invoke(process, key, OpType.READ, "stale@" + node, null);
    try {
      Optional<String> seen = kv.get(key, ReadConsistency.STALE, node);
      r.ok(seen.orElse(null));
      probeKeys.add(key);
      f.evidence(
          "broken-mode probe: STALE read of "
              + key
              + " on "
              + node
              + " returned "
              + seen.orElse("(absent)")
              + " after "
              + v
              + " was acknowledged");
    } catch (RuntimeException e) {
      r.fail(Workload.describe(e));
      f.evidence("broken-mode probe: STALE read on " + node + " failed: " + Workload.describe(e));
    }
  }

  private void loss(Fault f, long budget) {
    List<String> ids = cluster.ids();
    boolean all = random.nextInt(3) == 0;
    List<String> targets = all ? ids : List.of(ids.get(random.nextInt(ids.size())));
    double probability = 0.2 + 0.3 * random.nextDouble();
    int rate = random.nextBoolean() ? 1000 + random.nextInt(3000) : 0;
    long hold = hold(4000, 10000, budget);
    f.describe(
        String.format(
            Locale.ROOT,
            "packet loss %.0f%% into %s%s for %d ms",
            probability * 100,
            all ? "every node" : targets.get(0),
            rate > 0 ? ", throttled to " + rate + " kbit/s" : "",
            hold));
    long started = System.nanoTime();
    try {
      for (String t : targets) {
        List<String> peers = new ArrayList<>(ids);
        peers.remove(t);
        network.lossy(t, peers, probability, rate);
      }
      pause(hold - (System.nanoTime() - started) / 1_000_000);
      countDrops(f, "random loss");
    } finally {
      network.heal();
      f.evidence("healed: every rule and qdisc removed");
    }
  }

  /** Resumes, restarts and heals whatever is still faulty, reporting what it cannot fix. */
  private void healEverything(Consumer<String> problems) {
    for (String id : cluster.ids()) {
      NodeProcess n = cluster.node(id);
      try {
        if (n.paused()) {
          n.resume();
        }
        if (!n.alive()) {
          n.start();
          n.awaitStarted(options.recoveryTimeout());
        }
      } catch (RuntimeException e) {
        problems.accept("could not restore " + id + ": " + Workload.describe(e));
      }
    }
    try {
      network.heal();
    } catch (RuntimeException e) {
      problems.accept("could not heal the network: " + Workload.describe(e));
    }
  }

  /** Waits until the healed cluster answers a linearizable read; records how long it took. */
  private void awaitRecovery(Fault f) {
    long started = System.nanoTime();
    boolean ok = Retry.until(options.recoveryTimeout(), () -> kv.get("nemesis/health"));
    long millis = (System.nanoTime() - started) / 1_000_000;
    if (ok) {
      recoveryMillis.add(millis);
    } else {
      recoveryProblems.add(
          "after fault #"
              + f.number
              + " ("
              + f.description()
              + ") the cluster served no linearizable read within "
              + options.recoveryTimeout().toSeconds()
              + " s");
    }
  }

  /** Restarts anything down and resumes anything paused: the run must end healthy. */
  void finalHeal() {
    healEverything(p -> recoveryProblems.add("final heal: " + p));
  }
}
