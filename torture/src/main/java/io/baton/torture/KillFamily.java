package io.baton.torture;

import java.time.Duration;
import java.util.Optional;

/**
 * Kill faults: SIGKILL a node (the leader half the time), restart it on the same data 1-5 s later,
 * and prove the JVM died of the signal (exit status 137).
 */
final class KillFamily implements FaultFamily {
  private final FaultContext context;

  KillFamily(FaultContext context) {
    this.context = context;
  }

  @Override
  public void inject(Fault f, long budget) {
    Cluster cluster = context.cluster;
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    String target = context.pickTarget(leader);
    long hold = context.hold(1000, 5000, budget);
    f.describe("kill -9 " + FaultContext.label(target, leader) + ", restart after " + hold + " ms");
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
      context.observeNewLeader(f, target, term, Duration.ofMillis(hold), started);
    }
    context.pause(hold - (System.nanoTime() - started) / 1_000_000);
    long restart = System.nanoTime();
    node.start();
    node.awaitStarted(context.options.recoveryTimeout());
    f.evidence(
        "restarted as pid "
            + node.pid()
            + ", serving after "
            + (System.nanoTime() - restart) / 1_000_000
            + " ms");
  }
}
