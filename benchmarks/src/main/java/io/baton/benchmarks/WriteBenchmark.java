package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.RawRatisCluster;
import io.baton.benchmarks.support.Window;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
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
 * Write throughput and latency of a three-node cluster in one JVM, side by side with plain Apache
 * Ratis running the same workload in the same run, so Baton's overhead is a ratio.
 *
 * <p>{@code system=baton}: Baton nodes with default settings, {@link BenchStateMachine} puts of
 * exactly {@code payloadBytes} per command (key and value included), stored in RocksDB on every
 * replica; the client batches the commands that wait while earlier ones are in flight into one log
 * entry (its default). {@code system=baton-unbatched}: the same with {@code
 * commandBatching(false)}, one log entry per command, to show what batching buys. {@code
 * system=ratis}: {@link RawRatisCluster}, Ratis 3.3.0 with its default settings and a state machine
 * that only counts, sent messages of {@code payloadBytes}. Both are driven by one client through
 * its asynchronous API with a fixed window of {@code window} requests in flight: each invocation
 * waits for a free slot and submits one write, so at steady state invocations per second are
 * acknowledged writes per second. A failed write fails the iteration.
 *
 * <p>Every write's latency, submission to acknowledgement, is recorded ({@link Load}); each
 * iteration reports its percentiles, and the CPU time the whole process (three replicas and the
 * client) spent per write with the cores it kept busy. On a shared machine throughput follows the
 * CPU the process gets; CPU per write is the steadier figure to compare.
 *
 * <p>The warm-up is long on purpose: on two cores the JIT compilers take about half the CPU for the
 * first 20 to 30 seconds of a cluster's life (Ratis, gRPC, Netty and protobuf are a lot of code),
 * and throughput measured before that is a fraction of what follows.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar WriteBenchmark}; profile with {@code
 * -prof io.baton.benchmarks.support.ThreadCpuProfiler} or {@code -prof jfr} (RESULTS.md has what
 * that showed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 6, time = 5)
@Measurement(iterations = 3, time = 5)
public class WriteBenchmark {
  private static final int DISTINCT_COMMANDS = 4096;

  @Param({"baton", "baton-unbatched", "ratis"})
  public String system;

  @Param({"64", "1024"})
  public int payloadBytes;

  @Param({"64"})
  public int window;

  private BenchCluster baton;
  private RawRatisCluster ratis;
  private Supplier<CompletableFuture<?>> write;
  private Window slots;

  @Setup(Level.Trial)
  public void start() {
    switch (system) {
      case "baton", "baton-unbatched" -> {
        baton = BenchCluster.start(3, b -> b);
        BatonClient client = baton.newClient(system.equals("baton"));
        byte[][] commands = new byte[DISTINCT_COMMANDS][];
        for (int i = 0; i < commands.length; i++) {
          commands[i] = BenchStateMachine.putOfSize(i, payloadBytes);
        }
        int[] next = {0};
        write = () -> client.submitAsync(commands[next[0]++ & (DISTINCT_COMMANDS - 1)]);
      }
      case "ratis" -> {
        ratis = RawRatisCluster.start(3);
        RaftClient client = ratis.newClient();
        Message message = RawRatisCluster.message(payloadBytes);
        write = () -> client.async().send(message);
      }
      default ->
          throw new IllegalArgumentException(
              "system must be baton, baton-unbatched or ratis: " + system);
    }
    write.get().join();
    slots = new Window(window);
  }

  @Benchmark
  public void write(Load load) throws InterruptedException {
    load.track(slots);
    slots.submit(write);
  }

  @TearDown(Level.Iteration)
  public void checkWrites() throws InterruptedException {
    slots.drain(60_000);
    slots.checkNoFailures("writes");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (baton != null) {
      baton.close();
    }
    if (ratis != null) {
      ratis.close();
    }
  }
}
