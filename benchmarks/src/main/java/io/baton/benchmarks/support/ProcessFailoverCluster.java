package io.baton.benchmarks.support;

import io.baton.BatonClient;
import io.baton.FailureDetection;
import java.time.Duration;

/**
 * A {@link FailoverCluster} of three node processes ({@link ProcessCluster}): the kill is {@code
 * kill -9} of the leader's JVM, the phases are read from the survivors' role lines ({@link
 * LogElectionWatch}).
 */
final class ProcessFailoverCluster implements FailoverCluster {
  /**
   * Before a kill, every node JVM must have used at most this share of a core for one window (the
   * restarted one has finished warming up; see {@link ProcessCluster#awaitCpuQuiet}), or the wait
   * limit has passed: under a load that keeps a node above it, the wait is the limit.
   */
  private static final double CPU_QUIET_CORES =
      Double.parseDouble(System.getProperty("baton.bench.cpuQuietCores", "0.5"));

  private static final Duration CPU_WINDOW = Duration.ofMillis(500);
  private static final Duration CPU_WAIT_LIMIT = Duration.ofSeconds(10);

  private final ProcessCluster cluster;
  private String leader;
  private String killed;
  private LogElectionWatch watch;

  ProcessFailoverCluster(FailureDetection profile) {
    cluster = ProcessCluster.start(profile);
  }

  @Override
  public BatonClient newClient() {
    return cluster.newClient();
  }

  @Override
  public void prepare(Duration quiet) throws InterruptedException {
    if (killed != null) {
      cluster.restart(killed);
      killed = null;
    }
    leader = cluster.awaitSettled(quiet);
    cluster.awaitCpuQuiet(CPU_QUIET_CORES, CPU_WINDOW, CPU_WAIT_LIMIT);
    leader = cluster.awaitSettled(quiet);
  }

  @Override
  public void watchSurvivors() {
    watch = cluster.watchSurvivorsOf(leader);
  }

  @Override
  public long kill() {
    watch.arm();
    long killNanos = System.nanoTime();
    cluster.kill(leader);
    killed = leader;
    return killNanos;
  }

  /**
   * A survivor's ready line has arrived, or the probe was submitted after the dead JVM's exit was
   * seen (so the dead leader cannot have committed it): whichever is known first.
   */
  @Override
  public boolean acknowledgedBySurvivor(long submitNanos) {
    long exit = cluster.exitNanos(killed);
    return watch.readyNanos() != 0 || (exit != 0 && submitNanos > exit);
  }

  @Override
  public Election awaitElection(long timeoutMillis) throws InterruptedException {
    watch.awaitReady(timeoutMillis);
    return new Election(
        watch.candidateNanos(),
        watch.leaderNanos(),
        watch.readyNanos(),
        watch.newTerm() - cluster.readyTerm(killed));
  }

  @Override
  public void close() {
    cluster.close();
  }
}
