package io.baton.torture;

import io.baton.ReadConsistency;
import io.baton.torture.check.OpType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Partition faults: cut nodes apart with DROP rules (isolate a follower or the leader, split the
 * cluster, or bridge two sides through one node), and prove the cut by the rules' packet counters
 * and by a marker, written through the majority, that a cut-off node does not have.
 *
 * <p>In the deliberately broken mode, each cut that isolates a minority also runs a probe that
 * makes a stale read certain, for the checker to convict (see {@link Nemesis}).
 */
final class PartitionFamily implements FaultFamily {
  private final FaultContext context;
  private final Cluster cluster;
  private final Network network;
  private final TortureOptions options;
  private final Random random;
  private final Workload workload;
  private final History history;
  private final List<String> probeKeys = new CopyOnWriteArrayList<>();

  PartitionFamily(FaultContext context) {
    this.context = context;
    this.cluster = context.cluster;
    this.network = context.network;
    this.options = context.options;
    this.random = context.random;
    this.workload = context.workload;
    this.history = context.history;
  }

  /** Register keys written by the broken mode's probes whose stale read completed. */
  List<String> probeKeys() {
    return List.copyOf(probeKeys);
  }

  private enum Cut {
    ISOLATE_FOLLOWER,
    ISOLATE_LEADER,
    SPLIT,
    BRIDGE
  }

  @Override
  public void inject(Fault f, long budget) {
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
    long hold = context.hold(3000, 8000, budget);
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
        context.observeNewLeader(f, leader.orElseThrow(), term, Duration.ofMillis(hold), started);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
      context.countDrops(f, "blocked");
    } finally {
      network.heal();
      f.evidence("healed: every rule flushed");
    }
  }

  /** Writes a marker through the majority; a node cut off from it must not have it. */
  private void checkMarker(Fault f, Set<String> minority) {
    String key = context.nextMarkerKey();
    String value = "f" + f.number;
    try {
      context.kv().put(key, value);
    } catch (RuntimeException e) {
      f.evidence("marker " + key + " not acknowledged (" + Workload.describe(e) + ")");
      return;
    }
    for (String node : minority) {
      try {
        Optional<String> seen = context.kv().get(key, ReadConsistency.STALE, node);
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

  private String probeWrite(int process, String key) {
    String v = workload.uniqueValue();
    History.Pending p = history.invoke(process, key, OpType.WRITE, v, null);
    try {
      p.ok(context.kv().put(key, v).orElse(null));
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
      w.ok(context.kv().put(key, v).orElse(null));
    } catch (RuntimeException e) {
      w.unknown(Workload.describe(e));
      f.evidence("broken-mode probe on " + key + ": second write not acknowledged; no probe");
      return;
    }
    History.Pending r = history.invoke(process, key, OpType.READ, "stale@" + node, null);
    try {
      Optional<String> seen = context.kv().get(key, ReadConsistency.STALE, node);
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
}
