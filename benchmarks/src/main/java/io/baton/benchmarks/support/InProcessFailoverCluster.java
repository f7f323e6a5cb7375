package io.baton.benchmarks.support;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import io.baton.testing.ElectionWatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FailoverCluster} of three nodes in the benchmark's JVM ({@link BenchCluster}): the kill
 * is {@link BatonNode#closeAbruptly()}, the phases are polled from the survivors' status by an
 * {@link ElectionWatch}.
 */
final class InProcessFailoverCluster implements FailoverCluster {
  private final BenchCluster cluster;
  private BatonNode leader;
  private List<BatonNode> survivors;
  private ElectionWatch watch;
  private CompletableFuture<Void> killing;
  private String killed;
  private long killedTerm;

  InProcessFailoverCluster(FailureDetection profile) {
    cluster = BenchCluster.start(3, b -> b.failureDetection(profile));
  }

  @Override
  public BatonClient newClient() {
    return cluster.newClient();
  }

  @Override
  public void prepare(Duration quiet) throws Exception {
    if (killed != null) {
      killing.get(60, TimeUnit.SECONDS);
      cluster.restart(killed);
      killed = null;
    }
    cluster.awaitAllCaughtUp();
    cluster.awaitStable(quiet);
  }

  @Override
  public void watchSurvivors() {
    if (watch != null) {
      watch.close();
    }
    leader = cluster.awaitLeader();
    killedTerm = leader.status().term();
    survivors = cluster.others(leader.id());
    watch = new ElectionWatch(survivors);
  }

  @Override
  public long kill() {
    long killNanos = System.nanoTime();
    watch.arm();
    killing = cluster.killAsync(leader.id());
    killed = leader.id();
    return killNanos;
  }

  @Override
  public boolean acknowledgedBySurvivor(long submitNanos) {
    return watch.readyNanos() != 0 || survivors.stream().anyMatch(BatonNode::isLeader);
  }

  @Override
  public Election awaitElection(long timeoutMillis) throws InterruptedException {
    watch.awaitReady(timeoutMillis);
    long term =
        survivors.stream()
            .filter(n -> n.id().equals(watch.newLeader()))
            .findFirst()
            .orElseThrow()
            .status()
            .term();
    return new Election(
        watch.candidateNanos(), watch.leaderNanos(), watch.readyNanos(), term - killedTerm);
  }

  @Override
  public void close() throws Exception {
    if (watch != null) {
      watch.close();
    }
    if (killing != null) {
      killing.get(60, TimeUnit.SECONDS);
    }
    cluster.close();
  }
}
