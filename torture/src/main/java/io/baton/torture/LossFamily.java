package io.baton.torture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Packet loss faults: random loss (20-50 %) into one node or every node, sometimes with a bandwidth
 * throttle, proven by the statistic rules' drop counters.
 */
final class LossFamily implements FaultFamily {
  private final FaultContext context;
  private final Cluster cluster;
  private final Network network;
  private final Random random;

  LossFamily(FaultContext context) {
    this.context = context;
    this.cluster = context.cluster;
    this.network = context.network;
    this.random = context.random;
  }

  @Override
  public void inject(Fault f, long budget) {
    List<String> ids = cluster.ids();
    boolean all = random.nextInt(3) == 0;
    List<String> targets = all ? ids : List.of(ids.get(random.nextInt(ids.size())));
    double probability = 0.2 + 0.3 * random.nextDouble();
    int rate = random.nextBoolean() ? 1000 + random.nextInt(3000) : 0;
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
        network.lossy(t, peers, probability, rate);
      }
      context.pause(hold - (System.nanoTime() - started) / 1_000_000);
      context.countDrops(f, "random loss");
    } finally {
      network.heal();
      f.evidence("healed: every rule and qdisc removed");
    }
  }
}
