package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.SnapshotPolicy;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.PacedWriter;
import io.baton.internal.Await;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long taking a snapshot stalls the leader's applies, and so its writes, at {@code stateMiB} of
 * state. A Baton snapshot is a RocksDB checkpoint (hard links) taken on the apply thread, so the
 * pause should not grow with the state.
 *
 * <p>Three nodes in this JVM; the state is first filled with incompressible values ({@link
 * BenchStateMachine#fill}) and automatic snapshots are off. A steady background load ({@code
 * writesPerSecond} small puts, open loop) keeps the apply thread busy, so a stall shows as the gap
 * between two applies. Each measured invocation calls {@link BatonNode#takeSnapshot()} on the
 * leader; the score is how long that call took. Secondary results, one value per snapshot ({@link
 * Parts}; read percentiles or raw data, JMH's "score" for them is the sum over iterations):
 *
 * <ul>
 *   <li>{@code applyStallMs}: the longest gap between two consecutive applies on the leader from
 *       just before the call until the first apply after it: the apply pause;
 *   <li>{@code worstWriteMs}: the longest latency of a background write in flight during the call;
 *   <li>{@code baselineStallMs}, {@code baselineWriteMs}: the longest gap between applies and the
 *       longest write latency in the second before the call, without a snapshot: the noise floor of
 *       {@code applyStallMs} and {@code worstWriteMs};
 *   <li>{@code coldSnapshotMs}, {@code coldStallMs}: the first snapshot of the filled store, taken
 *       in the trial set-up (the same value on every iteration): it checksums every file of the
 *       checkpoint, while later snapshots only checksum the files that are new since;
 *   <li>{@code stateMiB}: the leader's state store on disk.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SnapshotBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 5, batchSize = 1)
public class SnapshotBenchmark {
  @Param({"10", "100", "1024"})
  public int stateMiB;

  @Param({"2000"})
  public int writesPerSecond;

  private BenchCluster cluster;
  private PacedWriter writer;
  private BatonNode leader;
  private BenchStateMachine leaderMachine;
  private double baselineStallMs;
  private double baselineWriteMs;
  private double coldSnapshotMs;
  private double coldStallMs;

  /** The cost of one snapshot; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Parts {
    public double applyStallMs;
    public double worstWriteMs;
    public double baselineStallMs;
    public double baselineWriteMs;
    public double coldSnapshotMs;
    public double coldStallMs;
    public double stateMiB;

    private SnapshotBenchmark owner;
    private long startNanos;
    private long endNanos;

    /** Waits for the first apply and the writes after the snapshot, then computes (not timed). */
    @TearDown(Level.Iteration)
    public void compute() throws InterruptedException {
      if (owner == null) {
        return;
      }
      applyStallMs = owner.stallAfter(endNanos);
      owner.writer.awaitScheduledBefore(endNanos, 60_000);
      worstWriteMs = owner.writer.maxLatencyNanos(startNanos, endNanos) / 1e6;
      owner.writer.checkNoFailures();
      baselineStallMs = owner.baselineStallMs;
      baselineWriteMs = owner.baselineWriteMs;
      coldSnapshotMs = owner.coldSnapshotMs;
      coldStallMs = owner.coldStallMs;
      stateMiB = owner.cluster.stateBytes(owner.leader.id()) / (double) (1 << 20);
      owner = null;
    }
  }

  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    cluster =
        BenchCluster.start(3, b -> b.snapshotPolicy(new SnapshotPolicy(Long.MAX_VALUE / 2, 2)));
    BatonClient client = cluster.newClient();
    cluster.fill(client, (long) stateMiB << 20, 64 << 10, 1);
    writer = new PacedWriter(cluster.newClient(), writesPerSecond);
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
    leader = cluster.awaitLeader();
    leaderMachine = cluster.machine(leader.id());
    leaderMachine.startApplyGapProbe();
    long start = System.nanoTime();
    leader.takeSnapshot();
    long end = System.nanoTime();
    coldSnapshotMs = (end - start) / 1e6;
    coldStallMs = stallAfter(end);
    writer.checkNoFailures();
  }

  /** Measures the noise floor: the longest apply gap over a second without a snapshot. */
  @Setup(Level.Iteration)
  public void baseline() throws InterruptedException {
    leader = cluster.awaitLeader();
    leaderMachine = cluster.machine(leader.id());
    writer.forget();
    leaderMachine.startApplyGapProbe();
    long start = System.nanoTime();
    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
    long end = System.nanoTime();
    baselineStallMs = leaderMachine.stopApplyGapProbe() / 1e6;
    writer.awaitScheduledBefore(end, 60_000);
    baselineWriteMs = writer.maxLatencyNanos(start, end) / 1e6;
    writer.forget();
  }

  @Benchmark
  public long snapshot(Parts parts) {
    leaderMachine.startApplyGapProbe();
    long start = System.nanoTime();
    long index = leader.takeSnapshot();
    parts.owner = this;
    parts.startNanos = start;
    parts.endNanos = System.nanoTime();
    return index;
  }

  /**
   * Waits until the leader applied a command after {@code nanos} (so a gap spanning the snapshot is
   * closed), then stops the apply-gap probe and returns the longest gap in milliseconds.
   */
  private double stallAfter(long nanos) {
    long applied = leaderMachine.appliedCommands();
    if (!Await.until(
        Duration.ofSeconds(60),
        Duration.ofMillis(1),
        () -> leaderMachine.appliedCommands() > applied && System.nanoTime() >= nanos)) {
      throw new IllegalStateException("no apply on the leader within 60 s of the snapshot");
    }
    return leaderMachine.stopApplyGapProbe() / 1e6;
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (writer != null) {
      writer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (writer != null) {
      writer.checkNoFailures();
    }
  }
}
