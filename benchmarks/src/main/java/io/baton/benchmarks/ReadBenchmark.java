package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.ReadConsistency;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.Window;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * Read throughput and latency of a three-node cluster in one JVM, per {@link ReadConsistency}:
 * {@code LINEARIZABLE} (ReadIndex on the leader: a heartbeat round to a majority), {@code FOLLOWER}
 * (ReadIndex asked of the leader, answered by a random follower) and {@code STALE} (whatever a
 * random node has applied, no leader involved).
 *
 * <p>The state holds {@code keys} values of 64 bytes (written by one {@link BenchStateMachine#fill}
 * command); each read gets a random one of them. One client drives the reads through {@link
 * BatonClient#queryAsync} with a window of {@code window} in flight; no writes run meanwhile. A
 * failed read fails the iteration. Latency percentiles, CPU per read and busy cores are reported
 * per iteration as in {@link WriteBenchmark} ({@link Load}).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ReadBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 3, time = 5)
public class ReadBenchmark {
  private static final int VALUE_BYTES = 64;

  @Param({"LINEARIZABLE", "FOLLOWER", "STALE"})
  public ReadConsistency consistency;

  @Param({"64"})
  public int window;

  @Param({"10000"})
  public int keys;

  private BenchCluster cluster;
  private Supplier<CompletableFuture<?>> read;
  private Window slots;

  @Setup(Level.Trial)
  public void start() {
    cluster = BenchCluster.start(3, b -> b);
    BatonClient client = cluster.newClient();
    cluster.fill(client, (long) keys * VALUE_BYTES, VALUE_BYTES, 0);
    cluster.awaitStable(Duration.ofMillis(300));
    byte[][] queries = new byte[keys][];
    for (int k = 0; k < keys; k++) {
      queries[k] = BenchStateMachine.getFilled(k);
    }
    read =
        () ->
            client.queryAsync(
                queries[ThreadLocalRandom.current().nextInt(queries.length)], consistency);
    read.get().join();
    slots = new Window(window);
  }

  @Benchmark
  public void read(Load load) throws InterruptedException {
    load.track(slots);
    slots.submit(read);
  }

  @TearDown(Level.Iteration)
  public void checkReads() throws InterruptedException {
    slots.drain(60_000);
    slots.checkNoFailures("reads");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
