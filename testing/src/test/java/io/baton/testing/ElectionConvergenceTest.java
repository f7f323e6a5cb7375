package io.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.BatonClient;
import io.baton.BatonNode;
import io.baton.FailureDetection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Elections converge where they used to wander: a cold start of three fresh nodes, a power loss of
 * the whole cluster followed by a restart of every node, and a fresh cluster on a CPU-starved
 * machine. Each test proves convergence (a ready leader) and counts the Raft terms it took; the
 * bounds are generous so that a loaded CI machine does not fail them, but a livelock of pre-vote
 * rounds and step-downs (tens of terms) does. Times are measured and printed, not asserted.
 */
final class ElectionConvergenceTest {
  /** At most this many terms for one election: a few lost rounds, not a livelock. */
  private static final long TERMS_PER_ELECTION = 6;

  @Test
  void aColdStartOfThreeFreshNodesElectsInFewTerms() {
    long started = System.nanoTime();
    try (LocalCluster cluster = cluster().start()) {
      BatonNode leader = cluster.awaitLeader();
      long termsUsed = leader.status().term();
      System.out.printf(
          "cold start: leader %s ready %d ms after the first node began to start, term %d%n",
          leader.id(), millisSince(started), termsUsed);
      assertThat(termsUsed).isLessThanOrEqualTo(TERMS_PER_ELECTION);
    }
  }

  @Test
  void aPowerLossOfEveryNodeThenARestartElectsInFewTerms() {
    try (LocalCluster cluster = cluster().start()) {
      BatonClient client = cluster.newClient();
      for (int i = 0; i < 20; i++) {
        client.submit(utf8("put k" + i + " v" + i));
      }
      long termBefore = cluster.awaitLeader().status().term();

      List<BatonNode> all = new ArrayList<>();
      cluster.peers().forEach(p -> all.add(cluster.detach(p.id())));
      CompletableFuture.allOf(
              all.stream()
                  .map(n -> CompletableFuture.runAsync(() -> LocalCluster.closeAbruptly(n)))
                  .toArray(CompletableFuture[]::new))
          .join();

      long restarted = System.nanoTime();
      cluster.startAll();
      long allUp = System.nanoTime();
      BatonNode leader = cluster.awaitLeader();
      long termsUsed = leader.status().term() - termBefore;
      System.out.printf(
          "whole-cluster restart: leader %s ready %d ms after the first node began to start"
              + " (%d ms after the last was up), %d terms used%n",
          leader.id(), millisSince(restarted), millisSince(allUp), termsUsed);
      assertThat(termsUsed).isLessThanOrEqualTo(TERMS_PER_ELECTION);
      client.submit(utf8("put after restart"));
      cluster.awaitConverged();
    }
  }

  @Test
  void aFreshClusterElectsAndKeepsItsLeaderUnderACpuHog() throws InterruptedException {
    int hogs = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    try (CpuHog hog = new CpuHog(hogs);
        LocalCluster cluster = cluster().start()) {
      long started = System.nanoTime();
      BatonNode first = cluster.awaitLeader();
      long firstTerm = first.status().term();
      System.out.printf(
          "under a CPU hog of %d threads: leader %s ready %d ms after start, term %d%n",
          hogs, first.id(), millisSince(started), firstTerm);
      assertThat(firstTerm).isLessThanOrEqualTo(3 * TERMS_PER_ELECTION);

      BatonClient client = cluster.newClient(Duration.ofSeconds(30));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int writes = 0;
      while (System.nanoTime() < until) {
        client.submit(utf8("incr c"));
        writes++;
        TimeUnit.MILLISECONDS.sleep(100);
      }
      BatonNode last = cluster.awaitLeader();
      long term = last.status().term();
      System.out.printf(
          "under a CPU hog: %d writes in 20 s, leader %s at term %d (first leader at term %d)%n",
          writes, last.id(), term, firstTerm);
      assertThat(term - firstTerm).isLessThanOrEqualTo(2 * TERMS_PER_ELECTION);
    }
  }

  private static LocalCluster.Builder cluster() {
    return LocalCluster.newBuilder()
        .nodes(3)
        .failureDetection(FailureDetection.DEFAULT)
        .stateMachines(id -> new RegisterStateMachine());
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Threads that spin on the CPU until closed, to starve the nodes as a loaded machine does. */
  private static final class CpuHog implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    CpuHog(int n) {
      for (int i = 0; i < n; i++) {
        Thread t = new Thread(this::spin, "cpu-hog-" + i);
        t.setDaemon(true);
        t.start();
        threads.add(t);
      }
    }

    @SuppressWarnings("unused")
    private void spin() {
      long x = 0;
      while (!stop) {
        x = x * 31 + 7;
      }
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      for (Thread t : threads) {
        t.join();
      }
    }
  }
}
