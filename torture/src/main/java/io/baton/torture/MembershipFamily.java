package io.baton.torture;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.OperationRefusedException;
import io.baton.ReadConsistency;
import io.baton.examples.kv.KvClient;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Membership faults: remove a node from the configuration with {@code BatonAdmin}, restart it in
 * join mode on its old data or on a wiped directory, and add it back as a voter; prove each step by
 * the configuration and by a marker written while the node was out. Also brings every node back
 * into the configuration when the nemesis heals everything.
 */
final class MembershipFamily implements FaultFamily {
  private static final Duration MEMBERSHIP_DEADLINE = Duration.ofSeconds(90);
  private static final Duration STATUS_POLL = Duration.ofMillis(200);

  private final FaultContext context;
  private final Cluster cluster;
  private final TortureOptions options;
  private final Random random;
  private volatile String outOfConfiguration;

  MembershipFamily(FaultContext context) {
    this.context = context;
    this.cluster = context.cluster;
    this.options = context.options;
    this.random = context.random;
  }

  /** The node this family took out of the configuration and has not yet added back, or null. */
  String outOfConfiguration() {
    return outOfConfiguration;
  }

  private BatonAdmin newAdmin(Consumer<String> progress) {
    return BatonAdmin.newBuilder()
        .peers(cluster.peers())
        .operationTimeout(Duration.ofSeconds(60))
        .actor("torture-nemesis")
        .progress(progress)
        .build();
  }

  @Override
  public void inject(Fault f, long budget) {
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
    long hold = context.hold(3000, 8000, budget);
    f.describe(
        "remove "
            + FaultContext.label(target, leader)
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
        context.observeNewLeader(f, target, term, Duration.ofSeconds(5), started);
      }
      String marker = writeMarker(f, "while " + target + " was out");
      if (marker != null) {
        observeRemoved(f, node, marker, started);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);

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
      restore(f::evidence, f::problem);
    }
  }

  /*
   * Ratis closes the replica of a node it removed from the configuration (the node prints role
   * DOWN; its JVM keeps running), so a STALE read there gets no answer at all. The marker's
   * absence is therefore read only from a removed node that still answers, with a short timeout.
   */
  private void observeRemoved(Fault f, NodeProcess node, String marker, long since) {
    if (Await.until(
        Duration.ofSeconds(3), Duration.ofMillis(50), () -> node.role().equals("DOWN"))) {
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
    Deadline deadline = Deadline.after(MEMBERSHIP_DEADLINE);
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
      if (!deadline.pause(Duration.ofSeconds(1))) {
        return false;
      }
    }
  }

  /** Proves the re-added node is a voter whose applied index reached the leader's commit index. */
  private void checkCaughtUp(Fault f, BatonAdmin admin, String target) {
    Deadline deadline = Deadline.after(Duration.ofSeconds(15));
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
      if (!deadline.pause(STATUS_POLL)) {
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
    Deadline deadline = Deadline.after(Duration.ofSeconds(10));
    String last = "absent";
    while (true) {
      try {
        Optional<String> seen = context.kv().get(marker, ReadConsistency.STALE, target);
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
      if (!deadline.pause(STATUS_POLL)) {
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
    String key = context.nextMarkerKey();
    try {
      context.kv().put(key, "f" + f.number);
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
  void restore(Consumer<String> evidence, Consumer<String> problems) {
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
      Deadline deadline = Deadline.after(Duration.ofSeconds(30));
      while (true) {
        s = admin.status();
        if (s.voters().containsAll(cluster.ids()) && !s.configurationChanging()) {
          return;
        }
        if (!deadline.pause(Duration.ofMillis(500))) {
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
}
