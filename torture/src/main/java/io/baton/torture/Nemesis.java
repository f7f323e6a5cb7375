package io.baton.torture;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.OperationRefusedException;
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
import java.util.function.BooleanSupplier;
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
 *  - loss: the statistic rules dropped packets;
 *  - membership: the configuration (BatonAdmin status) shows the node removed, then a voter again
 *    with an applied index at or past the leader's commit index at the re-add, and a marker
 *    written while it was out is present on it afterwards (a STALE read on that node). A refused
 *    change (another change in progress, a voter not yet heard from) is recorded and retried;
 *    failing to re-add the node is a problem, and the fault ends with every node a voter again;
 *  - delay: the delay proxy counted chunks it held back during the fault, and measured the
 *    latency it added to them.
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
  private volatile String outOfConfiguration;
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
      } else if (k == NemesisKind.DELAY && !network.delays()) {
        notExercised.add(
            k.label() + ": NOT EXERCISED (peer traffic does not run through the delay proxy)");
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
      case MEMBERSHIP -> membership(f, budgetMillis);
      case DELAY -> delay(f, budgetMillis);
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

  /**
   * Resumes, restarts and heals whatever is still faulty, and brings a node left out of the
   * configuration back in, reporting what it cannot fix.
   */
  private void healEverything(Consumer<String> problems) {
    for (String id : cluster.ids()) {
      NodeProcess n = cluster.node(id);
      try {
        if (n.paused()) {
          n.resume();
        }
        if (!n.alive()) {
          n.start(id.equals(outOfConfiguration));
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
    if (enabled.contains(NemesisKind.MEMBERSHIP)) {
      restoreMembership(line -> {}, problems);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Membership

  private static final Duration MEMBERSHIP_DEADLINE = Duration.ofSeconds(90);

  private BatonAdmin newAdmin(Consumer<String> progress) {
    return BatonAdmin.newBuilder()
        .peers(cluster.peers())
        .operationTimeout(Duration.ofSeconds(60))
        .actor("torture-nemesis")
        .progress(progress)
        .build();
  }

  private void membership(Fault f, long budget) {
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    List<String> others = new ArrayList<>(cluster.ids());
    leader.ifPresent(others::remove);
    String target =
        leader.isPresent() && random.nextInt(3) == 0
            ? leader.get()
            : others.get(random.nextInt(others.size()));
    boolean wipe =
        switch (options.rejoin()) {
          case WIPED -> true;
          case OLD_DATA -> false;
          case BOTH -> random.nextBoolean();
        };
    long hold = hold(3000, 8000, budget);
    f.describe(
        "remove "
            + label(target, leader)
            + " from the configuration for "
            + hold
            + " ms, re-add it "
            + (wipe ? "on a wiped data directory (snapshot install)" : "on its old data"));
    NodeProcess node = cluster.node(target);
    List<String> progress = new CopyOnWriteArrayList<>();
    try (BatonAdmin admin = newAdmin(progress::add)) {
      long started = System.nanoTime();
      boolean removed =
          change(
              f::evidence,
              f::problem,
              "remove " + target,
              () -> admin.removeNode(target),
              () -> admin.status().member(target).isEmpty());
      if (!removed) {
        f.problem(
            "could not remove "
                + target
                + " within "
                + MEMBERSHIP_DEADLINE.toSeconds()
                + " s; the fault was not injected");
        return;
      }
      outOfConfiguration = target;
      ClusterStatus out = admin.status();
      if (out.member(target).isPresent()) {
        f.problem("status still lists " + target + " after its removal: " + out.voters());
      } else {
        f.proof(
            "status: "
                + target
                + " is no member; voters "
                + out.voters()
                + ", leader "
                + out.leaderId().orElse("none")
                + " in term "
                + out.term());
      }
      if (leader.isPresent() && leader.get().equals(target)) {
        observeNewLeader(f, target, term, Duration.ofSeconds(5), started);
      }
      String marker = writeMarker(f, "while " + target + " was out");
      if (marker != null) {
        observeRemoved(f, node, marker, started);
      }
      pause(hold - (System.nanoTime() - started) / 1_000_000);

      long pid = node.pid();
      node.stop(Duration.ofSeconds(10));
      if (wipe) {
        cluster.wipe(target);
      }
      long restart = System.nanoTime();
      node.start(true);
      node.awaitStarted(options.recoveryTimeout());
      f.evidence(
          "stopped pid "
              + pid
              + (wipe ? ", wiped " + cluster.dataDir(target) : "")
              + ", restarted in join mode as pid "
              + node.pid()
              + ", serving after "
              + (System.nanoTime() - restart) / 1_000_000
              + " ms");

      progress.clear();
      boolean added =
          change(
              f::evidence,
              f::problem,
              "add " + target,
              () -> admin.addNode(cluster.peer(target)),
              () -> admin.status().voters().contains(target));
      progress.stream()
          .filter(line -> line.contains("caught up"))
          .reduce((a, b) -> b)
          .ifPresent(line -> f.evidence("admin: " + line));
      if (!added) {
        f.problem(
            "could not re-add "
                + target
                + " as a voter within "
                + MEMBERSHIP_DEADLINE.toSeconds()
                + " s");
        return;
      }
      outOfConfiguration = null;
      checkCaughtUp(f, admin, target);
      for (String line : node.linesSinceStart("Installing snapshot")) {
        f.evidence(target + " log: " + line.replaceFirst("^\\S+ \\[[^]]*\\] ", ""));
      }
      if (marker != null) {
        checkMarkerArrived(f, marker, target);
      }
    } catch (RuntimeException e) {
      f.problem("membership change failed: " + Workload.describe(e));
    } finally {
      restoreMembership(f::evidence, f::problem);
    }
  }

  /*
   * Ratis closes the replica of a node it removed from the configuration (the node prints role
   * DOWN; its JVM keeps running), so a STALE read there gets no answer at all. The marker's
   * absence is therefore read only from a removed node that still answers, with a short timeout.
   */
  private void observeRemoved(Fault f, NodeProcess node, String marker, long since) {
    long deadline = System.nanoTime() + 3_000_000_000L;
    while (!node.role().equals("DOWN") && System.nanoTime() < deadline && Sleeper.sleep(50)) {
      // waiting for the removed node to notice
    }
    if (node.role().equals("DOWN")) {
      f.evidence(
          "removed "
              + node.id
              + " closed its replica of the group (printed role DOWN) "
              + Math.max(0, (System.nanoTime() - since) / 1_000_000)
              + " ms after the removal began; its JVM still runs");
      return;
    }
    try (BatonClient quick =
        BatonClient.newBuilder()
            .peers(cluster.peers())
            .requestTimeout(Duration.ofSeconds(2))
            .build()) {
      Optional<String> seen = new KvClient(quick).get(marker, ReadConsistency.STALE, node.id);
      f.evidence(
          "marker "
              + marker
              + (seen.isPresent()
                  ? " already present on removed " + node.id
                  : " absent on removed " + node.id + ": it no longer receives the log"));
    } catch (RuntimeException e) {
      f.evidence(
          "removed " + node.id + " (" + node.role() + ") did not answer: " + Workload.describe(e));
    }
  }

  /**
   * Runs a membership change until it is done: a refusal (another change in progress, a voter not
   * heard from recently) or a failure is recorded and the change retried, unless the configuration
   * shows it done anyway (a reply lost after the change). An exception other than a BatonException
   * breaks the admin's contract and is a problem, but the change goes on the same way. Gives up
   * after MEMBERSHIP_DEADLINE.
   */
  private static boolean change(
      Consumer<String> evidence,
      Consumer<String> problems,
      String what,
      Runnable action,
      BooleanSupplier done) {
    long started = System.nanoTime();
    long deadline = started + MEMBERSHIP_DEADLINE.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        action.run();
        evidence.accept(
            what
                + ": done in "
                + (System.nanoTime() - started) / 1_000_000
                + " ms"
                + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
        return true;
      } catch (OperationRefusedException e) {
        evidence.accept(what + ": refused (attempt " + attempt + "): " + e.getMessage());
      } catch (BatonException e) {
        evidence.accept(what + ": failed (attempt " + attempt + "): " + Workload.describe(e));
      } catch (RuntimeException e) {
        problems.accept(
            what
                + ": BatonAdmin threw "
                + Workload.describe(e)
                + ", not a BatonException (attempt "
                + attempt
                + ")");
      }
      try {
        if (done.getAsBoolean()) {
          evidence.accept(what + ": the configuration shows it done after all");
          return true;
        }
      } catch (RuntimeException e) {
        evidence.accept(what + ": cannot read the configuration: " + Workload.describe(e));
      }
      if (System.nanoTime() > deadline || !Sleeper.sleep(1000)) {
        return false;
      }
    }
  }

  /** Proves the re-added node is a voter whose applied index reached the leader's commit index. */
  private void checkCaughtUp(Fault f, BatonAdmin admin, String target) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    long commit = -1;
    ClusterStatus s = null;
    while (true) {
      try {
        s = admin.status();
        Optional<MemberStatus> leader = s.leaderId().flatMap(s::member);
        Optional<MemberStatus> m = s.member(target);
        if (commit < 0 && leader.isPresent()) {
          commit = leader.get().commitIndex();
        }
        if (commit >= 0
            && m.isPresent()
            && m.get().voter()
            && m.get().appliedIndex() >= commit
            && !s.configurationChanging()) {
          f.proof(
              "status: "
                  + target
                  + " is a voter again ("
                  + m.get().role().name().toLowerCase(Locale.ROOT)
                  + "), applied index "
                  + m.get().appliedIndex()
                  + " >= leader's commit index "
                  + commit
                  + " at the re-add, snapshot index "
                  + m.get().lastSnapshotIndex()
                  + "; voters "
                  + s.voters());
          return;
        }
      } catch (RuntimeException e) {
        f.evidence("status failed: " + Workload.describe(e));
      }
      if (System.nanoTime() > deadline || !Sleeper.sleep(200)) {
        f.problem(
            target
                + " did not catch up within 15 s of its re-add (leader's commit index "
                + commit
                + "): "
                + (s == null
                    ? "no status"
                    : s.member(target).map(Object::toString).orElse("no member")));
        return;
      }
    }
  }

  /** A write acknowledged while the node was out must be in its own state after the re-add. */
  private void checkMarkerArrived(Fault f, String marker, String target) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String last = "absent";
    while (true) {
      try {
        Optional<String> seen = kv.get(marker, ReadConsistency.STALE, target);
        if (seen.isPresent()) {
          f.proof(
              "marker "
                  + marker
                  + ", acknowledged while "
                  + target
                  + " was out, is present on it (STALE read on "
                  + target
                  + ")");
          return;
        }
        last = "absent";
      } catch (RuntimeException e) {
        last = Workload.describe(e);
      }
      if (System.nanoTime() > deadline || !Sleeper.sleep(200)) {
        f.problem(
            "marker "
                + marker
                + ", acknowledged while "
                + target
                + " was out, is not on it 10 s after its re-add ("
                + last
                + ")");
        return;
      }
    }
  }

  /** Writes a fresh marker key through the cluster; returns it, or null if not acknowledged. */
  private String writeMarker(Fault f, String when) {
    markers++;
    String key = "nemesis/m" + markers;
    try {
      kv.put(key, "f" + f.number);
      return key;
    } catch (RuntimeException e) {
      f.evidence("marker " + key + " " + when + " not acknowledged (" + Workload.describe(e) + ")");
      return null;
    }
  }

  /**
   * Makes every node a voter again: a node missing from the configuration is restarted in join mode
   * and added. Records each step with {@code evidence}, and what it cannot fix with {@code
   * problems}.
   */
  private void restoreMembership(Consumer<String> evidence, Consumer<String> problems) {
    try (BatonAdmin admin = newAdmin(line -> {})) {
      ClusterStatus s = admin.status();
      for (String id : cluster.ids()) {
        if (s.voters().contains(id)) {
          continue;
        }
        evidence.accept(id + " is not a voter (" + s.voters() + "): restarting it in join mode");
        NodeProcess n = cluster.node(id);
        n.stop(Duration.ofSeconds(10));
        n.start(true);
        n.awaitStarted(options.recoveryTimeout());
        if (change(
            evidence,
            problems,
            "add " + id,
            () -> admin.addNode(cluster.peer(id)),
            () -> admin.status().voters().contains(id))) {
          if (id.equals(outOfConfiguration)) {
            outOfConfiguration = null;
          }
        } else {
          problems.accept("could not add " + id + " back as a voter");
        }
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        s = admin.status();
        if (s.voters().containsAll(cluster.ids()) && !s.configurationChanging()) {
          return;
        }
        if (System.nanoTime() > deadline || !Sleeper.sleep(500)) {
          problems.accept(
              "the configuration is not whole: voters "
                  + s.voters()
                  + (s.configurationChanging() ? ", a change still in progress" : ""));
          return;
        }
      }
    } catch (RuntimeException e) {
      problems.accept("could not restore the configuration: " + Workload.describe(e));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Delay

  private void delay(Fault f, long budget) {
    List<String> ids = cluster.ids();
    Optional<String> leader = cluster.leader();
    boolean all = random.nextInt(3) == 0;
    String target = pickTarget(leader);
    Set<String> nodes = all ? Set.copyOf(ids) : Set.of(target);
    int base = 30 + random.nextInt(221);
    int jitter = random.nextInt(base / 2 + 1);
    long hold = hold(4000, 10000, budget);
    f.describe(
        String.format(
            Locale.ROOT,
            "delay %d ms + up to %d ms jitter on %s for %d ms",
            base,
            jitter,
            all ? "every link" : label(target, leader) + "'s links",
            hold));
    long before = timedWrite();
    long started = System.nanoTime();
    try {
      network.delay(nodes, Duration.ofMillis(base), Duration.ofMillis(jitter));
      pause(Math.min(1000, hold / 4));
      long during = timedWrite();
      f.evidence(
          "a write through the cluster took "
              + (during < 0 ? "(failed)" : during + " ms")
              + " during the delay, "
              + (before < 0 ? "(failed)" : before + " ms")
              + " just before it");
      pause(hold - (System.nanoTime() - started) / 1_000_000);
    } finally {
      long clearing = System.nanoTime();
      boolean drained = network.clearDelay(Duration.ofSeconds(5));
      DelayProxy.Stats s = network.delayStats();
      f.evidence(
          "delay removed; "
              + (drained
                  ? "held-back chunks all sent within "
                      + (System.nanoTime() - clearing) / 1_000_000
                      + " ms"
                  : "chunks still held back after 5 s"));
      if (s.delayedChunks() > 0 && s.releasedChunks() > 0) {
        List<String> links = new ArrayList<>();
        s.delayedByLink().entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .forEach(e -> links.add(e.getKey() + " " + e.getValue()));
        f.proof(
            String.format(
                Locale.ROOT,
                "the proxy delayed %d chunks (%s); added latency measured: mean %.0f ms, max %d"
                    + " ms",
                s.delayedChunks(),
                String.join(", ", links),
                s.meanAddedMillis(),
                s.addedNanosMax() / 1_000_000));
      } else {
        f.problem("the proxy delayed no chunk: the fault slowed nothing");
      }
      long elected =
          cluster.roleEvents().stream()
              .filter(e -> e.role().equals("LEADER") && e.nanos() >= started)
              .count();
      if (elected > 0) {
        f.evidence(elected + " leader election(s) during the delay");
      }
    }
  }

  /** Milliseconds one marker write took, or -1 if it failed. */
  private long timedWrite() {
    long t = System.nanoTime();
    try {
      kv.put("nemesis/delay", Long.toString(t));
      return (System.nanoTime() - t) / 1_000_000;
    } catch (RuntimeException e) {
      return -1;
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
