package io.baton.torture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Delay faults: per-message latency with jitter on one node's links or on every link, added by the
 * delay proxy, proven by the chunks the proxy held back and the latency it measured.
 */
final class DelayFamily implements FaultFamily {
  private final FaultContext context;

  DelayFamily(FaultContext context) {
    this.context = context;
  }

  @Override
  public void inject(Fault f, long budget) {
    List<String> ids = context.cluster.ids();
    Optional<String> leader = context.cluster.leader();
    boolean all = context.random.nextInt(3) == 0;
    String target = context.pickTarget(leader);
    Set<String> nodes = all ? Set.copyOf(ids) : Set.of(target);
    int base = 30 + context.random.nextInt(221);
    int jitter = context.random.nextInt(base / 2 + 1);
    long hold = context.hold(4000, 10000, budget);
    f.describe(
        String.format(
            Locale.ROOT,
            "delay %d ms + up to %d ms jitter on %s for %d ms",
            base,
            jitter,
            all ? "every link" : FaultContext.label(target, leader) + "'s links",
            hold));
    long before = timedWrite();
    long started = System.nanoTime();
    try {
      context.network.delay(nodes, Duration.ofMillis(base), Duration.ofMillis(jitter));
      context.pause(Math.min(1000, hold / 4));
      long during = timedWrite();
      f.evidence(
          "a write through the cluster took "
              + (during < 0 ? "(failed)" : during + " ms")
              + " during the delay, "
              + (before < 0 ? "(failed)" : before + " ms")
              + " just before it");
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
    } finally {
      long clearing = System.nanoTime();
      boolean drained = context.network.clearDelay(Duration.ofSeconds(5));
      DelayProxy.Stats s = context.network.delayStats();
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
          context.cluster.roleEvents().stream()
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
      context.kv().put("nemesis/delay", Long.toString(t));
      return (System.nanoTime() - t) / 1_000_000;
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
