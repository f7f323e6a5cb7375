package io.baton.benchmarks.report;

import static io.baton.benchmarks.report.Format.ms;
import static io.baton.benchmarks.report.Format.num;
import static io.baton.benchmarks.report.Format.whole;

import io.baton.benchmarks.report.JmhResults.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The write figures of {@code WriteBenchmark}: Baton batched and unbatched against plain Ratis, per
 * payload size.
 */
final class WriteSection extends Section {
  private static final List<String> SYSTEMS = List.of("baton", "baton-unbatched", "ratis");
  private static final List<String> PAYLOADS = List.of("64", "1024");

  WriteSection() {
    super(
        "WriteBenchmark.write",
        "Write throughput and latency (WriteBenchmark)",
        "One client, asynchronous submits, window of 64 in flight. `baton` batches the commands"
            + " that wait while earlier ones are in flight into one log entry (the default);"
            + " `baton-unbatched` sends each command as its own entry"
            + " (`BatonClient.Builder.commandBatching(false)`). `ratis` = plain Ratis 3.3.0 with"
            + " default settings and an in-memory counting state machine, same run. Latency of"
            + " every write, per iteration: p50 and p90 are medians over iterations, p99 and max"
            + " the worst iteration's.");
  }

  @Override
  void figures(List<Run> runs, Markdown out, Verdicts verdicts) {
    Table t =
        new Table(
            "system",
            "payload",
            "throughput (writes/s)",
            "vs raw Ratis",
            "latency p50",
            "p90",
            "p99",
            "max",
            "CPU µs per write",
            "cores busy");
    for (String payload : PAYLOADS) {
      Optional<Run> ratis = find(runs, "ratis", payload);
      for (String system : SYSTEMS) {
        Optional<Run> run = find(runs, system, payload);
        if (run.isEmpty()) {
          continue;
        }
        Run r = run.get();
        List<Object> cells = new ArrayList<>();
        cells.add(system);
        cells.add(payload + " B");
        cells.add(throughput(r));
        cells.add(
            ratis
                .map(
                    x ->
                        String.format(
                            Locale.ROOT, "%.2f×", r.primary().score() / x.primary().score()))
                .orElse(""));
        cells.addAll(loadCells(r));
        t.row(cells.toArray());
      }
    }
    out.table(t);
    find(runs, "baton", "64").ifPresent(b -> targets(b, find(runs, "ratis", "64"), verdicts));
  }

  private static void targets(Run baton, Optional<Run> ratis, Verdicts verdicts) {
    double v = baton.primary().score();
    double target = Targets.WRITE_THROUGHPUT_PER_SECOND;
    verdicts.check(
        "write throughput ≥ " + Format.limit(target) + "/s (64 B, window 64)",
        whole(v) + "/s",
        v >= target,
        String.format(
            Locale.ROOT, "by %s/s (%.1f %% of the target)", whole(target - v), 100 * v / target));
    if (ratis.isPresent()) {
      double r = ratis.get().primary().score();
      verdicts.check(
          "write throughput never below raw Ratis (64 B)",
          whole(v) + " vs " + whole(r) + " (" + num(v / r) + "×)",
          v >= r,
          String.format(Locale.ROOT, "by %s/s (%.0f %% of raw Ratis)", whole(r - v), 100 * v / r));
    }
    double p99 = Targets.WRITE_P99_MS;
    verdicts.atMost(
        "write latency p99 ≤ " + Format.limit(p99) + " ms (64 B, window 64; worst iteration)",
        p99,
        baton.secondaryMax("p99Ms"),
        "ms");
  }

  /** Throughput with its error: {@code 11,268 ± 310}. */
  static String throughput(Run r) {
    return whole(r.primary().score()) + " ± " + whole(r.primary().error());
  }

  /**
   * The latency p50, p90, p99 and max, CPU per operation and busy cores of a run measured by {@code
   * Load}: medians over iterations, except p99 and max, the worst iteration's.
   */
  static List<String> loadCells(Run r) {
    return List.of(
        ms(r.secondaryP50("p50Ms")),
        ms(r.secondaryP50("p90Ms")),
        ms(r.secondaryMax("p99Ms")),
        ms(r.secondaryMax("maxMs")),
        num(r.secondaryP50("cpuUsPerOp")),
        num(r.secondaryP50("busyCores")));
  }

  private static Optional<Run> find(List<Run> runs, String system, String payload) {
    return runs.stream()
        .filter(r -> r.param("system").orElse("").equals(system))
        .filter(r -> r.param("payloadBytes").orElse("").equals(payload))
        .findFirst();
  }
}
