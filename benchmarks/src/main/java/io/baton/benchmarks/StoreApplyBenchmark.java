package io.baton.benchmarks;

import io.baton.statemachine.Keys;
import io.baton.storage.ApplyBatch;
import io.baton.storage.RocksDbStateStore;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
 * How fast one replica's store applies commands: one {@code ApplyBatch} per command with {@code
 * writesPerCommand} puts of {@code valueBytes}, committed together with the applied index, as the
 * Raft adapter does for every log entry. This is the floor under Baton's write throughput on one
 * node: a cluster cannot apply faster than this.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar StoreApplyBenchmark -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StoreApplyBenchmark {
  @Param({"64", "1024"})
  public int valueBytes;

  @Param({"1"})
  public int writesPerCommand;

  private Path dir;
  private RocksDbStateStore store;
  private byte[] value;
  private long index;

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("baton-bench-store");
    store = RocksDbStateStore.open(dir.resolve("db"), Set.of());
    value = new byte[valueBytes];
    index = 0;
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    TempDirs.deleteRecursively(dir);
  }

  @Benchmark
  public long applyOneCommand() {
    long i = ++index;
    try (ApplyBatch batch = store.newBatch()) {
      for (int w = 0; w < writesPerCommand; w++) {
        batch.put(Keys.longBytes(i * writesPerCommand + w), value);
      }
      batch.commit(1, i);
    }
    return i;
  }
}
