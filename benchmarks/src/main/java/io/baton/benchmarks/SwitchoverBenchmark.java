package io.baton.benchmarks;

import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.PacedWriter;
import java.time.Duration;
import java.util.Comparator;
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
 * Planned switchover: what a leadership transfer ({@link BatonNode#transferLeadership}) costs the
 * writes running through it.
 *
 * <p>Three nodes in this JVM with a steady background load ({@code writesPerSecond} small puts,
 * open loop, latency measured from each write's scheduled time). Each measured invocation asks the
 * leader to hand leadership to its most up-to-date follower, as a graceful {@link
 * BatonNode#close()} does. The score is the time from the call to the new leader being ready (it
 * committed an entry of its term and serves writes). Secondary results, one value per transfer
 * ({@link Parts}; read their percentiles or raw data, JMH's "score" for them is the sum over
 * iterations):
 *
 * <ul>
 *   <li>{@code worstWriteMs}: the longest latency of any background write in flight between the
 *       call and 100 ms after the new leader was ready: the pause a caller saw;
 *   <li>{@code callMs}: how long {@code transferLeadership} itself blocked;
 *   <li>{@code writesDuring}: background writes scheduled in that window.
 * </ul>
 *
 * <p>Any failed write fails the benchmark. {@link Mode#SingleShotTime} for the same reason as
 * {@link FailoverBenchmark}: one transfer is one sample, with an untimed settle between them.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SwitchoverBenchmark -i 50}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 20, batchSize = 1)
public class SwitchoverBenchmark {
  @Param({"DEFAULT"})
  public FailureDetection profile;

  @Param({"1000"})
  public int writesPerSecond;

  private BenchCluster cluster;
  private PacedWriter writer;

  /** The cost of one transfer; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Parts {
    public double worstWriteMs;
    public double callMs;
    public long writesDuring;

    /** 1 if a node other than the target won leadership right after the transfer. */
    public long disturbed;

    private PacedWriter writer;
    private long startNanos;
    private long readyNanos;

    /** Waits for the writes of the window to be answered, then computes (not timed). */
    @TearDown(Level.Iteration)
    public void compute() throws InterruptedException {
      if (writer == null) {
        return;
      }
      // Writes issued just after the new leader took over may still be redirected to it: they
      // belong to the switchover too.
      long end = readyNanos + TimeUnit.MILLISECONDS.toNanos(100);
      while (System.nanoTime() < end) {
        Thread.sleep(5);
      }
      writer.awaitScheduledBefore(end, 60_000);
      worstWriteMs = writer.maxLatencyNanos(startNanos, end) / 1e6;
      writesDuring = writer.scheduledBetween(startNanos, readyNanos);
      writer.checkNoFailures();
      writer = null;
    }
  }

  @Setup(Level.Trial)
  public void start() {
    cluster = BenchCluster.start(3, b -> b.failureDetection(profile));
    writer = new PacedWriter(cluster.newClient(), writesPerSecond);
  }

  /** Lets the cluster settle between transfers: all caught up, one leader for 300 ms. */
  @Setup(Level.Iteration)
  public void settle() {
    cluster.awaitAllCaughtUp();
    cluster.awaitStable(Duration.ofMillis(300));
    writer.checkNoFailures();
    writer.forget();
  }

  @Benchmark
  public void transfer(Parts parts) {
    BatonNode leader = cluster.awaitLeader();
    BatonNode target =
        cluster.others(leader.id()).stream()
            .max(Comparator.comparingLong(n -> n.status().appliedIndex()))
            .orElseThrow();
    long termBefore = leader.status().term();
    long start = System.nanoTime();
    parts.disturbed = 0;
    try {
      leader.transferLeadership(target.id(), Duration.ofSeconds(10));
    } catch (io.baton.BatonException e) {
      // A third node won the election the transfer caused (Ratis: DIFFERENT_LEADER, and the old
      // leader no longer leads, so it does not ask again): a disturbed sample, as below.
      if (leader.isLeader() || !String.valueOf(e.getMessage()).contains("DIFFERENT_LEADER")) {
        throw e;
      }
    }
    long returned = System.nanoTime();
    while (!target.isLeader()) {
      // On a starved machine an election can follow the transfer and another node win it: the
      // sample then measured more than a switchover, and says so in its "disturbed" counter.
      if (cluster.others(target.id()).stream()
          .anyMatch(n -> n.isLeader() && n.status().term() > termBefore)) {
        parts.disturbed = 1;
        break;
      }
      if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(30)) {
        throw new IllegalStateException("no leader in a new term 30 s after the transfer");
      }
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
    }
    parts.writer = writer;
    parts.startNanos = start;
    parts.readyNanos = System.nanoTime();
    parts.callMs = (returned - start) / 1e6;
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
