package io.baton;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/*
 * What a client process sees when the leader is killed under a writing client, beyond the writes
 * themselves (FailoverTest): which threads Ratis's client uses to shut a failed connection's gRPC
 * channel down (GrpcUtil.shutdownManagedChannel can wait 3 s + 2 s), and what it logs. A sampler
 * records every thread seen inside shutdownManagedChannel; standard error (where slf4j-simple
 * writes) is captured meanwhile. Ratis's client logs every failed attempt of a write at ERROR
 * (OrderedAsync); the logging default Baton ships (the launcher's simplelogger.properties, whose
 * line this module's test configuration repeats) turns exactly that logger off, and this test
 * checks that nothing else of Ratis's client logs an ERROR while Baton's client logs the failover.
 */
/**
 * A leader kill under a writing client: no caller blocked on a channel shutdown, no Ratis ERROR.
 */
final class ClientLeaderKillTest {
  /** Short names of the loggers of Ratis's client side. */
  private static final List<String> RATIS_CLIENT_LOGGERS =
      List.of(
          "OrderedAsync",
          "UnorderedAsync",
          "RaftClientImpl",
          "BlockingImpl",
          "GrpcClientProtocolClient",
          "GrpcClientRpc",
          "PeerProxyMap",
          "SlidingWindow");

  /** Classes whose frames on a thread mean Baton's client called into Ratis on it. */
  private static final Set<String> BATON_CLIENT =
      Set.of(
          "io.baton.internal.ratis.RatisBatonClient",
          "io.baton.internal.ratis.CommandBatcher",
          "io.baton.internal.ratis.RenewableRaftClient");

  @Test
  void leaderKilledUnderAWritingClient() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    Map<String, Boolean> inShutdown = new ConcurrentHashMap<>();
    Map<String, long[]> seenFromTo = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger written = new AtomicInteger();
    try (LocalCluster cluster =
        LocalCluster.newBuilder()
            .nodes(3)
            .stateMachines(id -> new RegisterStateMachine())
            .start()) {
      BatonNode leader = cluster.awaitLeader();
      BatonClient client = cluster.newClient();
      List<Thread> writers =
          List.of(
              writer(client, stop, written, errors, "writer-1"),
              writer(client, stop, written, errors, "writer-2"));
      Thread sampler = new Thread(() -> sample(stop, inShutdown, seenFromTo), "sampler");
      sampler.setDaemon(true);
      writers.forEach(Thread::start);
      cluster.await("writes before the kill", LocalCluster.WAIT, () -> written.get() >= 100);

      System.setErr(new PrintStream(tee(originalErr, captured), true, StandardCharsets.UTF_8));
      sampler.start();
      cluster.kill(leader.id());
      cluster.awaitLeader();
      int atLeader = written.get();
      cluster.await(
          "writes after the failover", LocalCluster.WAIT, () -> written.get() >= atLeader + 200);
      stop.set(true);
      for (Thread w : writers) {
        w.join(LocalCluster.WAIT.toMillis());
      }
      sampler.join(LocalCluster.WAIT.toMillis());
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    seenFromTo.forEach(
        (name, fromTo) ->
            System.out.printf(
                "in GrpcUtil.shutdownManagedChannel: %s for about %d ms, Baton client code on it: %s%n",
                name,
                (fromTo[1] - fromTo[0]) / 1_000_000,
                inShutdown.get(name.substring(0, name.indexOf(' ')))));

    assertThat(errors).as("client-visible errors").isEmpty();
    assertThat(inShutdown)
        .as("threads running Baton's client code seen waiting for a gRPC channel to shut down")
        .doesNotContainValue(true);
    List<String> ratisClientErrors =
        log.lines()
            .filter(l -> l.contains(" ERROR "))
            .filter(l -> RATIS_CLIENT_LOGGERS.stream().anyMatch(l::contains))
            .toList();
    assertThat(ratisClientErrors).as("ERROR lines from Ratis's client").isEmpty();
    assertThat(log).contains("Baton client: commands now go to leader");
  }

  private static Thread writer(
      BatonClient client,
      AtomicBoolean stop,
      AtomicInteger written,
      ConcurrentLinkedQueue<Throwable> errors,
      String name) {
    return new Thread(
        () -> {
          while (!stop.get()) {
            try {
              client.submit(RegisterStateMachine.incr("c"));
              written.incrementAndGet();
            } catch (RuntimeException e) {
              errors.add(e);
            }
          }
        },
        name);
  }

  /** Records each thread seen in a channel shutdown, and whether Baton's client code is on it. */
  private static void sample(
      AtomicBoolean stop, Map<String, Boolean> inShutdown, Map<String, long[]> seenFromTo) {
    while (!stop.get()) {
      for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
        StackTraceElement[] stack = e.getValue();
        boolean shuttingDown =
            Arrays.stream(stack).anyMatch(f -> f.getMethodName().equals("shutdownManagedChannel"));
        if (shuttingDown) {
          boolean baton =
              e.getKey().getName().startsWith("writer-")
                  || Arrays.stream(stack).anyMatch(f -> BATON_CLIENT.contains(f.getClassName()));
          inShutdown.merge(e.getKey().getName(), baton, Boolean::logicalOr);
          long now = System.nanoTime();
          boolean ratisClient =
              Arrays.stream(stack)
                  .anyMatch(f -> f.getClassName().startsWith("org.apache.ratis.client."));
          seenFromTo
                  .computeIfAbsent(
                      e.getKey().getName() + (ratisClient ? " (Ratis client)" : " (Ratis server)"),
                      k -> new long[] {now, now})[1] =
              now;
        }
      }
      Thread.onSpinWait();
    }
  }

  private static OutputStream tee(OutputStream a, ByteArrayOutputStream b) {
    return new OutputStream() {
      @Override
      public void write(int c) {
        write(new byte[] {(byte) c}, 0, 1);
      }

      @Override
      public synchronized void write(byte[] buf, int off, int len) {
        try {
          a.write(buf, off, len);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        b.write(buf, off, len);
      }
    };
  }
}
