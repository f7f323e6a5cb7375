package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.FailureDetection;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.LatencyHistogram;
import io.baton.benchmarks.support.PacedWriter;
import io.baton.benchmarks.support.ProcessCluster;
import io.baton.benchmarks.support.Window;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Timeout;
import org.openjdk.jmh.annotations.Warmup;

/**
 * No needless elections: a steady write load below the cluster's maximum, with no fault injected,
 * must not make a follower's election timer fire. A failure detector fast enough for {@code FAST}
 * failover is worth nothing if it flaps under load.
 *
 * <p>Three node JVMs started with the operator's {@code node} command ({@link ProcessCluster},
 * {@code --profile <profile>}), the client in this JVM. Set-up calibrates the maximum: one client,
 * closed loop, {@value #WINDOW} writes of 64 B in flight ({@link Window}), {@value
 * #CALIBRATION_WARMUP_SECONDS} s of warm-up, then {@value #CALIBRATION_SECONDS} s counted. The
 * measured invocation then runs an open-loop {@link PacedWriter} at {@code loadPercent} % of that
 * rate for {@code durationSeconds} (the score is how long that took, the duration plus the drain of
 * the last writes). Its secondary results ({@link Outcome}):
 *
 * <ul>
 *   <li>{@code elections}: the leader's term at the end minus at the start; the goal is 0;
 *   <li>{@code candidacies}: how many times any node became a candidate (its election timer fired;
 *       a failed pre-vote raises no term, so this can exceed {@code elections});
 *   <li>{@code maxWritesPerSecond}, {@code targetWritesPerSecond}, {@code writesPerSecond}: the
 *       calibrated maximum, the paced rate asked for, and the acknowledged writes per second
 *       achieved (the writer keeps to its schedule, issuing writes it fell behind on back to back,
 *       so this is lower only if the cluster did not keep up);
 *   <li>{@code p50Ms}, {@code p99Ms}, {@code maxMs}: write latency from each write's scheduled time
 *       to its acknowledgement ({@link LatencyHistogram}, no per-write records kept);
 *   <li>{@code failedWrites}: must be 0; any failed write fails the benchmark;
 *   <li>{@code loadAvgStart}: the machine's 1-minute load average ({@code /proc/loadavg}) before
 *       the nodes started, so a figure taken on a busy machine shows as such (NaN where unknown).
 * </ul>
 *
 * <p>One measurement iteration, no warm-up iteration: the calibration warms the JVMs up. The
 * iteration may take up to an hour (JMH's {@code -to} for a longer {@code durationSeconds}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SteadyLoadBenchmark -p
 * durationSeconds=600}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 0)
@Measurement(iterations = 1, batchSize = 1)
// JMH interrupts an iteration after 10 minutes by default, which the default duration reaches.
@Timeout(time = 1, timeUnit = TimeUnit.HOURS)
public class SteadyLoadBenchmark {
  static final int WINDOW = 64;
  static final int CALIBRATION_WARMUP_SECONDS = 5;
  static final int CALIBRATION_SECONDS = 10;
  private static final int DISTINCT_COMMANDS = 4096;

  @Param({"FAST", "DEFAULT"})
  public FailureDetection profile;

  @Param({"600"})
  public int durationSeconds;

  @Param({"80"})
  public int loadPercent;

  private double loadAvgStart;
  private ProcessCluster cluster;
  private BatonClient client;
  private double maxWritesPerSecond;
  private PacedWriter writer;

  /** What one steady run showed; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Outcome {
    public long elections;
    public long candidacies;
    public double maxWritesPerSecond;
    public double targetWritesPerSecond;
    public double writesPerSecond;
    public double p50Ms;
    public double p99Ms;
    public double maxMs;
    public long failedWrites;
    public double loadAvgStart;
  }

  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    loadAvgStart = loadAverage();
    cluster = ProcessCluster.start(profile);
    client = cluster.newClient();
    maxWritesPerSecond = calibrate();
  }

  /** The closed-loop maximum in writes per second; see the class comment. */
  private double calibrate() throws InterruptedException {
    byte[][] commands = new byte[DISTINCT_COMMANDS][];
    for (int i = 0; i < commands.length; i++) {
      commands[i] = BenchStateMachine.putOfSize(i, 64);
    }
    int[] next = {0};
    Window window = new Window(WINDOW);
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(CALIBRATION_WARMUP_SECONDS);
    while (System.nanoTime() < warm) {
      window.submit(() -> client.submitAsync(commands[next[0]++ & (DISTINCT_COMMANDS - 1)]));
    }
    long from = System.nanoTime();
    long completedFrom = window.completed();
    long end = from + TimeUnit.SECONDS.toNanos(CALIBRATION_SECONDS);
    while (System.nanoTime() < end) {
      window.submit(() -> client.submitAsync(commands[next[0]++ & (DISTINCT_COMMANDS - 1)]));
    }
    double rate = (window.completed() - completedFrom) * 1e9 / (System.nanoTime() - from);
    window.drain(60_000);
    window.checkNoFailures("calibration writes");
    return rate;
  }

  @Benchmark
  public void steadyLoad(Outcome outcome) throws InterruptedException {
    int rate = Math.max(1, (int) Math.round(maxWritesPerSecond * loadPercent / 100.0));
    long termStart = cluster.settledTerm();
    long candidaciesStart = cluster.candidacies();
    LatencyHistogram latencies = new LatencyHistogram();
    long start = System.nanoTime();
    writer = new PacedWriter(client, rate, latencies);
    long end = start + TimeUnit.SECONDS.toNanos(durationSeconds);
    for (long now = start; now < end; now = System.nanoTime()) {
      if (writer.failed() > 0) {
        break; // no point in going on: the run fails below
      }
      Thread.sleep(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(end - now) + 1));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    writer.close();
    outcome.failedWrites = writer.failed();
    writer.checkNoFailures();
    outcome.writesPerSecond = writer.acknowledged() / seconds;
    outcome.elections = cluster.settledTerm() - termStart;
    outcome.candidacies = cluster.candidacies() - candidaciesStart;
    outcome.maxWritesPerSecond = maxWritesPerSecond;
    outcome.targetWritesPerSecond = rate;
    LatencyHistogram.Interval l = latencies.interval();
    outcome.p50Ms = l.percentileMillis(50);
    outcome.p99Ms = l.percentileMillis(99);
    outcome.maxMs = l.percentileMillis(100);
    outcome.loadAvgStart = loadAvgStart;
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (writer != null) {
      writer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The 1-minute load average from {@code /proc/loadavg}, NaN where there is none. */
  static double loadAverage() {
    try {
      String line = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII);
      return Double.parseDouble(line.trim().split("\\s+", -1)[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
