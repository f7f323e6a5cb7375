package io.baton.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.BatonClient;
import io.baton.Peer;
import io.baton.ReadConsistency;
import io.baton.examples.kv.KvClient;
import io.baton.testing.Ports;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code baton node} processes, each its own JVM: SIGKILL one, the client keeps working, and
 * the node restarted with the same command rejoins with its state.
 */
final class MultiProcessClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
  private List<Peer> peers;

  /** One node process with its output collected, so the test can wait for lines and show them. */
  private static final class NodeProcess {
    final Process process;

    // Appended by the reader thread while the test thread reads it: StringBuffer's locking is
    // exactly what is needed here.
    @SuppressWarnings("JdkObsolete")
    final StringBuffer output = new StringBuffer();

    NodeProcess(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                  }
                } catch (IOException e) {
                  output.append("(output closed: ").append(e).append(")\n");
                }
              });
      reader.setDaemon(true);
      reader.start();
    }
  }

  private NodeProcess startNode(String id, String... extra) throws IOException {
    String peerList = peers.stream().map(Peer::toString).collect(Collectors.joining(","));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BatonCli.class.getName());
    cmd.addAll(
        List.of(
            "node",
            "--id",
            id,
            "--peers",
            peerList,
            "--data",
            dir.resolve(id).toString(),
            "--app",
            "kv"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    NodeProcess np = new NodeProcess(p);
    processes.put(id, np);
    await("node " + id + " to start", () -> np.output.indexOf("node " + id + " started") >= 0, np);
    return np;
  }

  private void await(String what, java.util.function.BooleanSupplier condition, NodeProcess np) {
    Awaitility.await(what)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .failFast(
            what + ": process exited" + (np == null ? "" : ":\n" + np.output),
            () -> np != null && !np.process.isAlive())
        .until(condition::getAsBoolean);
  }

  @AfterEach
  void killAll() {
    processes.values().forEach(p -> p.process.destroyForcibly());
  }

  @Test
  void sigkillOneNodeProcess_clientKeepsWorking_andTheRestartedNodeRejoinsWithItsState()
      throws Exception {
    peers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peers.add(Peer.of("n" + i, "127.0.0.1", Ports.freePort()));
    }
    for (Peer p : peers) {
      startNode(p.id());
    }
    try (BatonClient client =
        BatonClient.newBuilder().peers(peers).requestTimeout(Duration.ofSeconds(30)).build()) {
      KvClient kv = new KvClient(client);
      for (int i = 0; i < 50; i++) {
        kv.put("before-" + i, "v" + i);
      }

      NodeProcess victim = processes.get("n2");
      victim.process.destroyForcibly(); // SIGKILL
      assertThat(victim.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(victim.process.exitValue()).isEqualTo(137);

      for (int i = 0; i < 50; i++) {
        kv.put("during-" + i, "v" + i); // throws on any client-visible error
      }
      assertThat(kv.get("before-49")).contains("v49");

      startNode("n2");
      await(
          "n2 to catch up",
          () -> {
            try {
              return kv.get("during-49", ReadConsistency.STALE, "n2").equals(Optional.of("v49"));
            } catch (RuntimeException e) {
              return false;
            }
          },
          processes.get("n2"));
      assertThat(kv.get("before-0", ReadConsistency.STALE, "n2")).contains("v0");
      assertThat(kv.count()).isEqualTo(100);
    }
  }

  /** Runs {@code baton admin ...} in this JVM against the node processes; returns its output. */
  private static String admin(int expectedStatus, String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    int status =
        new BatonCli(
                new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, StandardCharsets.UTF_8))
            .run(args);
    String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    System.out.println("$ baton " + String.join(" ", args) + "\n" + text);
    assertThat(status)
        .as("exit status of baton %s:%n%s", String.join(" ", args), text)
        .isEqualTo(expectedStatus);
    return text;
  }

  @Test
  void adminCli_statusAddPromoteTransferRemove_againstNodeProcesses() throws Exception {
    peers = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      peers.add(Peer.of("n" + i, "127.0.0.1", Ports.freePort()));
    }
    List<Peer> members = peers.subList(0, 3);
    String memberList = members.stream().map(Peer::toString).collect(Collectors.joining(","));
    List<Peer> all = peers;
    peers = members;
    for (Peer p : members) {
      startNode(p.id());
    }
    try (BatonClient client =
        BatonClient.newBuilder().peers(members).requestTimeout(Duration.ofSeconds(30)).build()) {
      KvClient kv = new KvClient(client);
      for (int i = 0; i < 50; i++) {
        kv.put("k" + i, "v" + i);
      }
      String status = admin(0, "admin", "status", "--peers", memberList);
      assertThat(status).contains("leader: n").contains("voters [n1, n2, n3]");
      // A leader may step down for a moment on a loaded machine: status then truthfully shows none.
      String json =
          Awaitility.await("a leader in the JSON status")
              .atMost(Duration.ofSeconds(10))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> admin(0, "admin", "status", "--json", "--peers", members.get(0).toString()),
                  s -> !s.contains("\"leader\":null"));
      assertThat(json)
          .contains("\"voters\":[\"n1\",\"n2\",\"n3\"]")
          .contains("\"role\":\"leader\"");

      String n4 = all.get(3).toString();
      assertThat(admin(1, "admin", "add-listener", n4, "--peers", memberList))
          .as("n4 is not running yet")
          .contains("refused, nothing changed")
          .contains("join");
      peers = all;
      startNode("n4", "--join");
      admin(0, "admin", "add-listener", n4, "--peers", memberList);
      assertThat(admin(0, "admin", "status", "--peers", memberList)).contains("listeners [n4]");
      admin(0, "admin", "promote", "n4", "--peers", memberList);
      assertThat(admin(0, "admin", "status", "--peers", memberList))
          .contains("voters [n1, n2, n3, n4]");
      assertThat(kv.get("k49", ReadConsistency.STALE, "n1")).contains("v49");

      assertThat(admin(0, "admin", "transfer", "n4", "--peers", memberList)).contains("n4 leads");
      kv.put("after-transfer", "x");
      assertThat(admin(0, "admin", "verify", "--peers", memberList))
          .contains("consistent at log index");

      assertThat(admin(1, "admin", "remove", "n1", "n2", "--peers", memberList))
          .contains("half or more");
      assertThat(admin(2, "admin", "frobnicate", "--peers", memberList))
          .contains("Unmatched argument")
          .contains("'frobnicate'");
      admin(0, "admin", "remove", "n1", "--peers", memberList);
      assertThat(admin(0, "admin", "status", "--peers", memberList))
          .contains("voters [n2, n3, n4]");
      kv.put("after-remove", "y");
      assertThat(kv.get("after-remove")).contains("y");
    }
  }
}
