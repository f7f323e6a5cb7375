package io.baton.benchmarks;

import io.baton.BatonAdmin;
import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.Peer;
import io.baton.SnapshotPolicy;
import io.baton.benchmarks.support.BenchCluster;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.Dirs;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast a new node joins and catches up with {@code stateMiB} of state, next to the raw speed of
 * copying the same files on this disk, measured in the same run.
 *
 * <p>Three nodes in this JVM; the state is filled with incompressible values ({@link
 * BenchStateMachine#fill}), and every node takes a snapshot (a RocksDB checkpoint), which purges
 * the log up to it: a new node must receive the checkpoint. Before each measured invocation a fresh
 * node is started in join mode ({@code NodeConfig.Builder.join(true)}), and the leader's checkpoint
 * directory is copied file by file, each copy forced to disk, to a scratch directory on the same
 * file system: the raw copy speed. The measured invocation is {@link BatonAdmin#addNode}, which
 * returns once the new node is a voter that has caught up. Afterwards (not timed) the node is
 * removed again and its directory deleted, so every sample adds a fourth node to three.
 *
 * <p>Both speeds are the checkpoint's bytes divided by the time; MB is 10^6 bytes. The leader's
 * checkpoint files were just written, so both the copy and the transfer read them from the page
 * cache. Secondary results, one value per join ({@link Parts}; read percentiles or raw data, JMH's
 * "score" for them is the sum over iterations): {@code catchUpMBps}, {@code rawCopyMBps}, {@code
 * startMs} (starting the joining node, not in the score), {@code snapshotMiB} (the checkpoint
 * shipped), {@code snapshotsInstalled} on the new node.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CatchUpBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 0, batchSize = 1)
@Measurement(iterations = 3, batchSize = 1)
public class CatchUpBenchmark {
  @Param({"100", "1024"})
  public int stateMiB;

  private BenchCluster cluster;
  private BatonAdmin admin;
  private int joins;
  private Peer joiner;
  private long snapshotBytes;
  private double rawCopyMBps;
  private double startMs;

  /** What one join cost; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Parts {
    public double catchUpMBps;
    public double rawCopyMBps;
    public double startMs;
    public double snapshotMiB;
    public long snapshotsInstalled;
  }

  @Setup(Level.Trial)
  public void start() {
    cluster =
        BenchCluster.start(3, b -> b.snapshotPolicy(new SnapshotPolicy(Long.MAX_VALUE / 2, 2)));
    BatonClient client = cluster.newClient();
    long next = cluster.fill(client, (long) stateMiB << 20, 64 << 10, 1);
    for (BatonNode n : cluster.liveNodes()) {
      n.takeSnapshot();
    }
    // A few entries after the snapshot, so the new node also catches up on a log tail.
    client.submit(BenchStateMachine.put(next, new byte[64]));
    cluster.awaitAllCaughtUp();
    cluster.awaitStable(Duration.ofMillis(500));
    admin = BatonAdmin.connect(cluster.peers(), cluster.clusterName());
  }

  /** Measures the raw copy of the leader's checkpoint, then starts a joining node. */
  @Setup(Level.Iteration)
  public void prepare() throws IOException {
    BatonNode leader = cluster.awaitLeader();
    Path snapshot =
        cluster
            .latestSnapshotDir(leader.id())
            .orElseThrow(() -> new IllegalStateException("leader has no snapshot"));
    snapshotBytes = Dirs.size(snapshot);
    Path copy = Files.createTempDirectory(cluster.baseDir(), "raw-copy-");
    try {
      long t0 = System.nanoTime();
      long copied = Dirs.copyAndSync(snapshot, copy.resolve("ckpt"));
      rawCopyMBps = copied / 1e6 / ((System.nanoTime() - t0) / 1e9);
    } finally {
      TempDirs.deleteRecursively(copy);
    }
    // The copy competes with the cluster for the disk; start the join from a settled cluster. (The
    // joiner itself is a leaderless listener until it is added, so it is started afterwards.)
    cluster.awaitStable(Duration.ofMillis(500));
    long t0 = System.nanoTime();
    joiner = cluster.startJoining("j" + ++joins);
    startMs = (System.nanoTime() - t0) / 1e6;
  }

  @Benchmark
  public void addNode(Parts parts) {
    long t0 = System.nanoTime();
    admin.addNode(joiner);
    double seconds = (System.nanoTime() - t0) / 1e9;
    parts.catchUpMBps = snapshotBytes / 1e6 / seconds;
    parts.rawCopyMBps = rawCopyMBps;
    parts.startMs = startMs;
    parts.snapshotMiB = snapshotBytes / (double) (1 << 20);
    parts.snapshotsInstalled = cluster.node(joiner.id()).status().snapshotsInstalled();
  }

  /** Removes the new node again and deletes its data (not timed). */
  @TearDown(Level.Iteration)
  public void removeJoiner() {
    if (joiner == null) {
      return;
    }
    try {
      admin.removeNode(joiner.id());
    } finally {
      cluster.kill(joiner.id());
      TempDirs.deleteQuietly(cluster.baseDir().resolve(joiner.id()));
      joiner = null;
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }
}
