package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.BatonException;
import io.baton.BatonNode;
import io.baton.NodeStatus;
import io.baton.ReadConsistency;
import io.baton.SnapshotPolicy;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.Window;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * How long a node holding {@code stateMiB} of state takes from restart to serving reads again, and
 * how much it replays to get there. A restarted Baton node opens its own RocksDB store and applies
 * only the log entries after the store's applied index, so the time should depend on what it
 * missed, not on the size of its state.
 *
 * <p>Three nodes in this JVM; the state is filled with incompressible values, every node takes a
 * snapshot, and {@code tailEntries} more puts follow (a log tail after the snapshot, which the
 * stores already hold). Before each measured invocation a follower is killed abruptly ({@link
 * BatonNode#closeAbruptly()}) and {@code missedEntries} puts are written while it is down. The
 * measured invocation restarts it on its data directory and ends when a {@link
 * ReadConsistency#FOLLOWER} read answered by that node returns the last value written while it was
 * down: it is caught up and serving linearizable reads. The reads go through a client created after
 * the restart. Secondary results, one value per restart ({@link Parts}; read percentiles or raw
 * data, JMH's "score" for them is the sum over iterations):
 *
 * <ul>
 *   <li>{@code startMs}: until {@code BatonNode.start} returned (store opened, Raft server up);
 *   <li>{@code staleReadMs}: until the node answered a {@link ReadConsistency#STALE} read from its
 *       own state;
 *   <li>{@code reappliedEntries}: commands the restarted node's state machine applied before it
 *       served the read; the {@code missedEntries} it never had, plus any it re-applied (should be
 *       none: that is the point);
 *   <li>{@code logTailEntries}: log entries between the node's last snapshot and its applied index
 *       when it was killed: what a node that trusted only its snapshot would replay;
 *   <li>{@code snapshotsInstalled}: snapshots the node received from the leader meanwhile (should
 *       be 0: no re-transfer);
 *   <li>{@code stateMiB}: the restarted node's state store on disk.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar RecoveryBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
public class RecoveryBenchmark {
  private static final int VALUE_BYTES = 64;

  @Param({"1024"})
  public int stateMiB;

  @Param({"5000"})
  public int tailEntries;

  @Param({"1000"})
  public int missedEntries;

  private BenchCluster cluster;
  private BatonClient writer;
  private String victim;
  private long nextKey = 1L << 40;
  private byte[] lastValue;
  private long lastKey;
  private long logTailEntries;

  /** What one restart cost; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Parts {
    public double startMs;
    public double staleReadMs;
    public long reappliedEntries;
    public long logTailEntries;
    public long snapshotsInstalled;
    public double stateMiB;

    private BenchCluster cluster;
    private String node;

    /** Measures the store on disk once the timed restart is over. */
    @TearDown(Level.Iteration)
    public void measureState() {
      if (cluster != null) {
        stateMiB = cluster.stateBytes(node) / (double) (1 << 20);
        cluster = null;
      }
    }
  }

  @Setup(Level.Trial)
  public void start() throws InterruptedException {
    cluster =
        BenchCluster.start(3, b -> b.snapshotPolicy(new SnapshotPolicy(Long.MAX_VALUE / 2, 2)));
    writer = cluster.newClient();
    cluster.fill(writer, (long) stateMiB << 20, 64 << 10, 1);
    for (BatonNode n : cluster.liveNodes()) {
      n.takeSnapshot();
    }
    put(tailEntries);
    cluster.awaitAllCaughtUp();
  }

  /** Kills a follower and writes what it will have to catch up on. */
  @Setup(Level.Iteration)
  public void killFollower() throws InterruptedException {
    if (victim != null) {
      cluster.awaitCaughtUp(victim);
    }
    BatonNode leader = cluster.awaitLeader();
    BatonNode follower = cluster.others(leader.id()).get(0);
    victim = follower.id();
    cluster.awaitCaughtUp(victim);
    NodeStatus before = follower.status();
    logTailEntries = before.appliedIndex() - before.lastSnapshotIndex();
    cluster.kill(victim);
    put(missedEntries);
  }

  @Benchmark
  public void restart(Parts parts) {
    long start = System.nanoTime();
    BatonNode node = cluster.restart(victim);
    long started = System.nanoTime();
    BatonClient reader = cluster.newClient();
    byte[] appliedQuery = BenchStateMachine.appliedQuery();
    long staleRead = 0;
    byte[] query = BenchStateMachine.get(lastKey);
    while (true) {
      try {
        if (staleRead == 0) {
          reader.queryNode(victim, appliedQuery, ReadConsistency.STALE);
          staleRead = System.nanoTime();
        }
        if (Arrays.equals(reader.queryNode(victim, query, ReadConsistency.FOLLOWER), lastValue)) {
          break;
        }
      } catch (BatonException e) {
        // Not serving yet: the client has retried until its request timeout. Keep asking.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
    parts.startMs = (started - start) / 1e6;
    parts.staleReadMs = (staleRead - start) / 1e6;
    parts.reappliedEntries = cluster.machine(victim).appliedCommands();
    parts.logTailEntries = logTailEntries;
    parts.snapshotsInstalled = node.status().snapshotsInstalled();
    parts.cluster = cluster;
    parts.node = victim;
  }

  private void put(int count) throws InterruptedException {
    Window w = new Window(64);
    for (int i = 0; i < count; i++) {
      long key = nextKey++;
      byte[] value =
          Arrays.copyOf(Long.toString(key).getBytes(StandardCharsets.UTF_8), VALUE_BYTES);
      w.submit(() -> writer.submitAsync(BenchStateMachine.put(key, value)));
      lastKey = key;
      lastValue = value;
    }
    w.drain(60_000);
    w.checkNoFailures("puts");
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }
}
