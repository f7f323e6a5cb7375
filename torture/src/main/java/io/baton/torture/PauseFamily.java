package io.baton.torture;

import java.time.Duration;
import java.util.Optional;

/**
 * Pause faults: SIGSTOP a node (the leader half the time) for 2-6 s, then SIGCONT it, proving both
 * by the process state in {@code /proc/<pid>/stat} (T while stopped).
 */
final class PauseFamily implements FaultFamily {
  private final FaultContext context;

  PauseFamily(FaultContext context) {
    this.context = context;
  }

  @Override
  public void inject(Fault f, long budget) {
    Cluster cluster = context.cluster;
    Optional<String> leader = cluster.leader();
    long term = cluster.maxTerm();
    String target = context.pickTarget(leader);
    long hold = context.hold(2000, 6000, budget);
    f.describe("SIGSTOP " + FaultContext.label(target, leader) + " for " + hold + " ms");
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
        context.observeNewLeader(f, target, term, Duration.ofMillis(hold), started);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
    } finally {
      String after = node.resume();
      if (after.equals("T") || after.equals("t")) {
        f.problem("pid " + pid + " still stopped after SIGCONT");
      } else {
        f.evidence("resumed (/proc state " + after + ")");
      }
    }
  }
}
