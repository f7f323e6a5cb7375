package io.baton.benchmarks;

import io.baton.benchmarks.support.CpuCost;
import io.baton.benchmarks.support.LatencyHistogram;
import io.baton.benchmarks.support.Window;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a windowed throughput benchmark ({@link WriteBenchmark}, {@link ReadBenchmark}) reports
 * besides its throughput, one value per iteration (JMH auxiliary counters: read the raw data or
 * percentiles in the JSON; the "score" JMH prints for these is the sum over iterations):
 *
 * <ul>
 *   <li>{@code p50Ms}, {@code p90Ms}, {@code p99Ms}, {@code maxMs}: latency of the operations
 *       completed in the iteration, submission to completion, in milliseconds;
 *   <li>{@code cpuUsPerOp}: CPU time of the whole process per completed operation, in microseconds,
 *       JIT compilation left out ({@link CpuCost});
 *   <li>{@code busyCores}: the cores the process kept busy.
 * </ul>
 *
 * <p>The benchmark method calls {@link #track} on every invocation; the first call of an iteration
 * starts the measurement.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class Load {
  public double p50Ms;
  public double p90Ms;
  public double p99Ms;
  public double maxMs;
  public double cpuUsPerOp;
  public double busyCores;

  private Window window;
  private CpuCost cpu;

  /** Measures the operations of {@code w} from now to the end of the iteration, if not yet. */
  void track(Window w) {
    if (window == null) {
      window = w;
      w.latencies().reset();
      cpu = new CpuCost(w::completed);
      cpu.start();
    }
  }

  /** Computes the iteration's values (JMH reads them after this). */
  @TearDown(Level.Iteration)
  public void finish() {
    if (window == null) {
      return;
    }
    cpuUsPerOp = cpu.cpuMicrosPerOp();
    busyCores = cpu.busyCores();
    LatencyHistogram.Interval latencies = window.latencies().interval();
    p50Ms = latencies.percentileMillis(50);
    p90Ms = latencies.percentileMillis(90);
    p99Ms = latencies.percentileMillis(99);
    maxMs = latencies.percentileMillis(100);
    window = null;
  }
}
