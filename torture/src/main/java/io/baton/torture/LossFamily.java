package io.baton.torture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Packet loss faults: random loss (20-50 %) into one node or every node, sometimes with a bandwidth
 * throttle, proven by the statistic rules' drop counters.
 */
final class LossFamily implements FaultFamily {
  private final FaultContext context;

  LossFamily(FaultContext context) {
    this.context = context;
  }

  @Override
  public void inject(Fault f, long budget) {
    List<String> ids = context.cluster.ids();
    boolean all = context.random.nextInt(3) == 0;
    List<String> targets = all ? ids : List.of(ids.get(context.random.nextInt(ids.size())));
    double probability = 0.2 + 0.3 * context.random.nextDouble();
    int rate = context.random.nextBoolean() ? 1000 + context.random.nextInt(3000) : 0;
    long hold = context.hold(4000, 10000, budget);
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
        context.network.lossy(t, peers, probability, rate);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
      context.countDrops(f, "random loss");
    } finally {
      context.network.heal();
      f.evidence("healed: every rule and qdisc removed");
    }
  }
}
