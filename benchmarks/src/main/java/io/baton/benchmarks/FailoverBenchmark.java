package io.baton.benchmarks;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.benchmarks.support.BenchStateMachine;
import io.baton.benchmarks.support.FailoverCluster;
import io.baton.benchmarks.support.PacedWriter;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import io.baton.testing.FailoverPhases;
import java.time.Duration;
import java.util.Optional;
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
 * Unplanned failover as a client sees it: how long after the leader dies does a write succeed
 * again?
 *
 * <p>Three nodes run {@link BenchStateMachine} with a steady background load ({@code
 * writesPerSecond} small puts, open loop, from this JVM). Each measured invocation kills the leader
 * and at the same instant issues a probe write from a second client, resubmitting until a probe is
 * acknowledged by the new leader. The nodes run as {@code mode} says:
 *
 * <ul>
 *   <li>{@code inProcess}: in this JVM; the kill is {@link BatonNode#closeAbruptly()} (no
 *       leadership handover, the followers just stop hearing it), an approximation of a crash;
 *   <li>{@code process}: three JVMs started with the operator's {@code node} command ({@link
 *       io.baton.benchmarks.support.BenchNodeMain}, {@code --app bench --profile <profile>}), and
 *       the kill is {@code kill -9} of the leader's JVM, a failover the way users meet it.
 * </ul>
 *
 * <p>The score is the time from the kill to that acknowledgement: the client-observed write
 * unavailability, retries, redirects and back-off of the client included. Before the next kill, the
 * killed node is restarted on its data directory and allowed to catch up, and the cluster must then
 * keep one leader for twice the minimum election timeout (at most a second), all outside the
 * measurement: every sample starts from three healthy, converged nodes.
 *
 * <p>Why {@link Mode#SingleShotTime}: one kill is one sample, and each needs a restart and catch-up
 * that must not be timed, which JMH runs as iteration set-up; so each iteration is one invocation
 * ({@code -i} is the number of kills) and JMH's percentiles over the iterations are the
 * distribution of failover times. {@link Mode#SampleTime} would call the method back to back within
 * a timed iteration, with no untimed place to restart the node between kills.
 *
 * <p>The parts of each sample are secondary results ({@link Parts}, one value per kill; read their
 * percentiles or raw data, the "score" JMH prints for them is the sum over iterations):
 *
 * <ul>
 *   <li>{@code detectionMs}: kill to the first survivor seen as candidate (its election timer
 *       fired): in process, polled every 100 µs by {@link io.baton.testing.ElectionWatch}; with
 *       node processes, read from the nodes' role lines as they arrive (Ratis logs each role change
 *       as it makes it; the node command prints the ready leader), which adds the line's trip
 *       through a pipe, well under a millisecond on an idle machine ({@code LogElectionWatch});
 *   <li>{@code electionMs}: candidate to a survivor seen as leader (pre-vote and vote);
 *   <li>{@code firstCommitMs}: leader to ready: it committed an entry of its term;
 *   <li>{@code clientMs}: ready to the probe's acknowledgement (client retry back-off, redirect and
 *       the probe's own commit);
 *   <li>{@code backgroundMs}: kill to the first acknowledgement of a background write scheduled
 *       after the kill, as a cross-check of the probe;
 *   <li>{@code ackGapMs}: the longest silence between background acknowledgements around the kill
 *       (the failover demo's measure);
 *   <li>{@code terms}: the new leader's term minus the killed leader's: 1 when the first election
 *       after the kill won, more for split or repeated elections.
 * </ul>
 *
 * <p>A boundary seen late (after the next one) counts as the next one ({@link FailoverPhases}).
 *
 * <p>Any failed write, probe or background, fails the benchmark: callers must see latency, never
 * errors.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar FailoverBenchmark -i 50 -p
 * mode=process}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 1, batchSize = 1)
@Measurement(iterations = 10, batchSize = 1)
public class FailoverBenchmark {
  private static final byte[] PROBE_VALUE = new byte[64];
  private static final long PROBE_KEYS = 1L << 40;

  @Param({"FAST", "DEFAULT", "WAN"})
  public FailureDetection profile;

  /** Where the nodes run: {@code inProcess} (this JVM) or {@code process} (three node JVMs). */
  @Param({"inProcess", "process"})
  public String mode;

  @Param({"1000"})
  public int writesPerSecond;

  private FailoverCluster cluster;
  private BatonClient probeClient;
  private PacedWriter writer;
  private long probeKey = PROBE_KEYS;

  /** The parts of one failover, in milliseconds; see the class comment. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Parts {
    public double detectionMs;
    public double electionMs;
    public double firstCommitMs;
    public double clientMs;
    public double backgroundMs;
    public double ackGapMs;
    public long terms;

    private FailoverBenchmark owner;
    private long killNanos;
    private long ackNanos;

    /** Computes the parts once the measured invocation is over (not timed). */
    @TearDown(Level.Iteration)
    public void compute() throws InterruptedException {
      if (owner == null) {
        return;
      }
      FailoverCluster.Election e = owner.cluster.awaitElection(60_000);
      FailoverPhases phases =
          FailoverPhases.of(
              killNanos, e.candidateNanos(), e.leaderNanos(), e.readyNanos(), ackNanos);
      detectionMs = ms(phases.detectionNanos());
      electionMs = ms(phases.electionNanos());
      firstCommitMs = ms(phases.firstCommitNanos());
      clientMs = ms(phases.clientNanos());
      terms = e.terms();
      PacedWriter pw = owner.writer;
      long first =
          Await.poll(
                  Deadline.after(Duration.ofSeconds(60)),
                  Duration.ofMillis(1),
                  () -> Optional.of(pw.firstAck(killNanos, e.readyNanos())).filter(t -> t != 0))
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no background write acknowledged after the failover"));
      backgroundMs = ms(first - killNanos);
      long settled = Math.max(ackNanos, first) + TimeUnit.MILLISECONDS.toNanos(50);
      while (System.nanoTime() < settled) {
        Thread.sleep(5);
      }
      pw.awaitScheduledBefore(settled, 60_000);
      ackGapMs = ms(pw.longestAckGapNanos(killNanos - TimeUnit.MILLISECONDS.toNanos(50), settled));
      pw.checkNoFailures();
      owner = null;
    }
  }

  @Setup(Level.Trial)
  public void start() {
    cluster = FailoverCluster.start(mode, profile);
    probeClient = cluster.newClient();
    writer = new PacedWriter(cluster.newClient(), writesPerSecond);
    probeClient.submit(BenchStateMachine.put(probeKey++, PROBE_VALUE));
  }

  /** Restarts the node killed by the previous sample and waits until all three have caught up. */
  @Setup(Level.Iteration)
  public void prepare() throws Exception {
    long min = profile.electionTimeoutMin().toMillis();
    cluster.prepare(Duration.ofMillis(Math.min(1000, 2 * min)));
    // The probe client learns the current leader, so a sample does not start with a stale guess.
    probeClient.submit(BenchStateMachine.put(probeKey++, PROBE_VALUE));
    writer.checkNoFailures();
    writer.forget();
    cluster.watchSurvivors();
  }

  @Benchmark
  public void killLeader(Parts parts) {
    long killNanos = cluster.kill();
    long ack;
    while (true) {
      long submit = System.nanoTime();
      probeClient.submit(BenchStateMachine.put(probeKey++, PROBE_VALUE));
      ack = System.nanoTime();
      // A probe the dying leader still committed in its last milliseconds does not count: only
      // one acknowledged by a survivor ends the outage.
      if (cluster.acknowledgedBySurvivor(submit)) {
        break;
      }
    }
    parts.owner = this;
    parts.killNanos = killNanos;
    parts.ackNanos = ack;
  }

  @TearDown(Level.Iteration)
  public void checkWrites() {
    writer.checkNoFailures();
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
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

  static double ms(long nanos) {
    return nanos / 1e6;
  }
}
