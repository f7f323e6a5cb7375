package io.baton.torture;

import java.time.Duration;

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
    FaultContext.NodeChoice choice = context.chooseNode(2000, 6000, budget);
    long hold = choice.hold();
    f.describe("SIGSTOP " + choice.label() + " for " + hold + " ms");
    NodeProcess node = context.cluster.node(choice.node());
    long pid = node.pid();
    String state = node.pause();
    if (stopped(state)) {
      f.proof("pid " + pid + " stopped (/proc state " + state + ")");
    } else {
      f.problem("pid " + pid + " not stopped after SIGSTOP: /proc state " + state);
    }
    long started = System.nanoTime();
    try {
      if (choice.leaderChosen()) {
        context.observeNewLeader(f, choice.node(), choice.term(), Duration.ofMillis(hold), started);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
    } finally {
      String after = node.resume();
      if (stopped(after)) {
        f.problem("pid " + pid + " still stopped after SIGCONT");
      } else {
        f.evidence("resumed (/proc state " + after + ")");
      }
    }
  }

  private static boolean stopped(String procState) {
    return procState.equals("T") || procState.equals("t");
  }
}
