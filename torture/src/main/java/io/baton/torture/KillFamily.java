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
    FaultContext.NodeChoice choice = context.chooseNode(1000, 5000, budget);
    long hold = choice.hold();
    f.describe("kill -9 " + choice.label() + ", restart after " + hold + " ms");
    NodeProcess node = context.cluster.node(choice.node());
    long pid = node.pid();
    Optional<Integer> status = node.kill();
    if (status.isPresent() && status.get() == 137 && !node.alive()) {
      f.proof("pid " + pid + " is gone, exit status 137 (SIGKILL)");
    } else {
      f.problem("pid " + pid + " did not die of SIGKILL: status " + status);
    }
    long started = System.nanoTime();
    if (choice.leaderChosen()) {
      context.observeNewLeader(f, choice.node(), choice.term(), Duration.ofMillis(hold), started);
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
