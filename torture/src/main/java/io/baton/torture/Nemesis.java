package io.baton.torture;

import io.baton.BatonClient;
import io.baton.examples.kv.KvClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 *  - loss: the statistic rules dropped packets;
 *  - membership: the configuration (BatonAdmin status) shows the node removed, then a voter again
 *    with an applied index at or past the leader's commit index at the re-add, and a marker
 *    written while it was out is present on it afterwards (a STALE read on that node). A refused
 *    change (another change in progress, a voter not yet heard from) is recorded and retried;
 *    failing to re-add the node is a problem, and the fault ends with every node a voter again;
 *  - delay: the delay proxy counted chunks it held back during the fault, and measured the
 *    latency it added to them.
 * Leader changes after faults on the leader are recorded as observations. Each family is one
 * FaultFamily class (KillFamily, PauseFamily, PartitionFamily, LossFamily, MembershipFamily,
 * DelayFamily); this class keeps the schedule, the fault log and the final heal.
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
  private final History history;
  private final FaultContext context;
  private final PrintStream log;
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final List<String> notExercised = new ArrayList<>();
  private final List<String> recoveryProblems = new CopyOnWriteArrayList<>();
  private final List<Long> recoveryMillis = new CopyOnWriteArrayList<>();
  private final Set<NemesisKind> enabled;
  private final PartitionFamily partitions;
  private final MembershipFamily memberships;
  private final Map<NemesisKind, FaultFamily> families = new EnumMap<>(NemesisKind.class);
  private volatile Fault current;

  Nemesis(
      TortureOptions options,
      Cluster cluster,
      History history,
      Workload workload,
      PrintStream log) {
    this.options = options;
    this.cluster = cluster;
    this.history = history;
    this.context = new FaultContext(options, cluster, history, workload);
    this.log = log;
    Network network = cluster.network();
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
    this.partitions = new PartitionFamily(context);
    this.memberships = new MembershipFamily(context);
    families.put(NemesisKind.KILL, new KillFamily(context));
    families.put(NemesisKind.PAUSE, new PauseFamily(context));
    families.put(NemesisKind.PARTITION, partitions);
    families.put(NemesisKind.LOSS, new LossFamily(context));
    families.put(NemesisKind.MEMBERSHIP, memberships);
    families.put(NemesisKind.DELAY, new DelayFamily(context));
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
    return partitions.probeKeys();
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
    context.stop();
  }

  /** Runs the schedule until {@code endNanos} (history time); every fault is healed on return. */
  void run(long endNanos) {
    BatonClient client =
        BatonClient.newBuilder()
            .peers(cluster.peers())
            .requestTimeout(Duration.ofSeconds(10))
            .build();
    context.connect(new KvClient(client));
    try {
      List<NemesisKind> round = new ArrayList<>();
      while (context.pause(2000 + context.random.nextInt(2000))
          && remainingMillis(endNanos) >= 6000) {
        if (enabled.isEmpty()) {
          continue;
        }
        if (round.isEmpty()) {
          round.addAll(enabled);
          round.sort(null);
          Collections.shuffle(round, context.random);
        }
        NemesisKind kind = round.remove(0);
        Fault f = new Fault(faults.size() + 1, kind, kind.label(), history.now());
        faults.add(f);
        current = f;
        try {
          families.get(kind).inject(f, remainingMillis(endNanos) - 2000);
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
          n.start(id.equals(memberships.outOfConfiguration()));
          n.awaitStarted(options.recoveryTimeout());
        }
      } catch (RuntimeException e) {
        problems.accept("could not restore " + id + ": " + Workload.describe(e));
      }
    }
    try {
      cluster.network().heal();
    } catch (RuntimeException e) {
      problems.accept("could not heal the network: " + Workload.describe(e));
    }
    if (enabled.contains(NemesisKind.MEMBERSHIP)) {
      memberships.restore(line -> {}, problems);
    }
  }

  /** Waits until the healed cluster answers a linearizable read; records how long it took. */
  private void awaitRecovery(Fault f) {
    long started = System.nanoTime();
    boolean ok = Retry.until(options.recoveryTimeout(), () -> context.kv().get("nemesis/health"));
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
