package io.baton.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.Peer;
import io.baton.examples.counter.CounterStateMachine;
import io.baton.examples.fleet.FleetStateMachine;
import io.baton.examples.kv.KvStateMachine;
import io.baton.statemachine.StateMachine;
import io.baton.testing.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client subcommands of the launcher against real in-process clusters. */
final class BatonCliClusterTest {
  @TempDir Path dir;
  private LocalCluster cluster;
  private String peers;
  private String out;
  private String err;

  @AfterEach
  void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private void start(Supplier<StateMachine> stateMachine) {
    cluster = LocalCluster.start(3, dir, id -> stateMachine.get());
    cluster.awaitLeader();
    peers = cluster.peers().stream().map(Peer::toString).collect(Collectors.joining(","));
  }

  private int run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    String[] withPeers = new String[args.length + 2];
    System.arraycopy(args, 0, withPeers, 0, args.length);
    withPeers[args.length] = "--peers";
    withPeers[args.length + 1] = peers;
    int status =
        new BatonCli(
                new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8))
            .run(withPeers);
    out = o.toString(StandardCharsets.UTF_8);
    err = e.toString(StandardCharsets.UTF_8);
    return status;
  }

  @Test
  void kv_operations_printPlainResults() {
    start(KvStateMachine::new);

    assertThat(run("kv", "put", "colour", "blue")).isZero();
    assertThat(out).isEqualTo("ok\n");
    assertThat(run("kv", "get", "colour")).isZero();
    assertThat(out).isEqualTo("blue\n");
    assertThat(run("kv", "get", "colour", "--consistency", "stale")).isZero();
    assertThat(out).isEqualTo("blue\n");
    assertThat(run("kv", "cas", "colour", "red", "green")).isZero();
    assertThat(out).isEqualTo("not set: colour does not hold 'red'\n");
    assertThat(run("kv", "cas", "colour", "blue", "green")).isZero();
    assertThat(out).isEqualTo("ok\n");
    assertThat(run("kv", "cas", "shape", "round", "--absent")).isZero();
    assertThat(out).isEqualTo("ok\n");
    assertThat(run("kv", "cas", "shape", "square", "--absent")).isZero();
    assertThat(out).isEqualTo("not set: shape exists\n");
    assertThat(run("kv", "count")).isZero();
    assertThat(out).isEqualTo("2\n");
    assertThat(run("kv", "scan", "")).isZero();
    assertThat(out).isEqualTo("colour\tgreen\nshape\tround\n");
    assertThat(run("kv", "scan", "sh", "--limit", "1")).isZero();
    assertThat(out).isEqualTo("shape\tround\n");
    assertThat(run("kv", "delete", "colour")).isZero();
    assertThat(out).isEqualTo("deleted\n");
    assertThat(run("kv", "get", "colour")).isZero();
    assertThat(out).isEqualTo("(not found)\n");
  }

  @Test
  void kv_commandRejectedByTheStateMachine_exits1WithItsMessage() {
    start(KvStateMachine::new);

    assertThat(run("kv", "put", "", "v")).isEqualTo(1);
    assertThat(err).contains("key must not be empty");
  }

  @Test
  void counter_addAndGet() {
    start(CounterStateMachine::new);

    assertThat(run("counter", "add", "5")).isZero();
    assertThat(out).isEqualTo("5\n");
    assertThat(run("counter", "add", "-7")).isZero();
    assertThat(out).isEqualTo("-2\n");
    assertThat(run("counter", "get")).isZero();
    assertThat(out).isEqualTo("-2\n");
  }

  @Test
  void fleet_reportWhereAreaGeofenceAlerts() {
    start(FleetStateMachine::new);

    assertThat(run("fleet", "geofence", "depot", "51.52", "-0.11", "51.50", "-0.13")).isZero();
    assertThat(out).isEqualTo("geofence depot defined\n");
    assertThat(run("fleet", "report", "truck-1", "51.0", "0.0", "--at", "1000")).isZero();
    assertThat(out).isEqualTo("stored\n");
    assertThat(run("fleet", "report", "truck-1", "51.51", "-0.12", "--at", "2000")).isZero();
    assertThat(out).startsWith("stored; entered depot (alert ");
    assertThat(run("fleet", "report", "truck-1", "40", "0", "--at", "1500")).isZero();
    assertThat(out).startsWith("not stored: ignored: reported at 1500");
    assertThat(run("fleet", "where", "truck-1")).isZero();
    assertThat(out).isEqualTo("truck-1 at 51.51, -0.12 (reported 1970-01-01T00:00:02Z)\n");
    assertThat(run("fleet", "where", "truck-2")).isZero();
    assertThat(out).isEqualTo("(not found)\n");
    assertThat(run("fleet", "area", "51.6", "0.0", "51.4", "-0.2")).isZero();
    assertThat(out).contains("truck-1 at 51.51, -0.12").endsWith("1 vehicle\n");
    assertThat(run("fleet", "alerts")).isZero();
    assertThat(out).contains("truck-1 entered depot").endsWith("1 pending\n");
  }
}
