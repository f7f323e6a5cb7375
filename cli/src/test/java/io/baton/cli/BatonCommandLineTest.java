package io.baton.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/** The operator command line's usage handling: nothing here reaches a cluster or starts a node. */
final class BatonCommandLineTest {
  private static final String PEERS = "n1=127.0.0.1:7101,n2=127.0.0.1:7102";

  @Command(
      name = "baton",
      mixinStandardHelpOptions = true,
      versionProvider = BatonVersion.class,
      scope = ScopeType.INHERIT)
  static final class Root {}

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    NodeApp neverStarted =
        config -> {
          throw new AssertionError("no node starts in these tests");
        };
    return BatonCommandLine.create(
            new Root(),
            Map.of("app", neverStarted),
            List.of(),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void help_listsTheOperatorCommands() {
    assertThat(run("help")).isZero();
    assertThat(out()).contains("node", "admin", "help", "generate-completion");
  }

  @Test
  void adminHelp_listsEveryOperation() {
    assertThat(run("admin", "--help")).isZero();
    assertThat(out())
        .contains(
            "status",
            "add",
            "add-listener",
            "promote",
            "demote",
            "remove",
            "replace",
            "transfer",
            "drain",
            "undrain",
            "priority",
            "failback",
            "verify");
  }

  @Test
  void nodeHelp_namesTheRegisteredApps() {
    assertThat(run("node", "--help")).isZero();
    assertThat(out()).contains("--app=APP", "--join", "Applications (--app): app");
  }

  @Test
  void version_comesFromTheBuild() {
    assertThat(run("admin", "status", "--version")).isZero();
    assertThat(out()).startsWith("baton ").doesNotContain("unknown").doesNotContain("${");
  }

  @Test
  void generateCompletion_writesABashScript() {
    assertThat(run("generate-completion")).isZero();
    assertThat(out()).startsWith("#!/usr/bin/env bash").contains("admin", "add-listener");
  }

  @Test
  void unknownOption_exits2_namingItAndTheHelp() {
    assertThat(run("admin", "status", "--peers", PEERS, "--colour")).isEqualTo(2);
    assertThat(err())
        .contains("baton admin status: Unknown option: '--colour'")
        .contains("Run 'baton admin status --help' for usage.");
    assertThat(out()).isEmpty();
  }

  @Test
  void missingPeers_exits2_namingTheOption() {
    assertThat(run("admin", "verify")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--peers");
  }

  @Test
  void malformedPeer_exits2_withPeersMessage() {
    assertThat(run("admin", "add", "n3", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("(ID=HOST:PORT): peer 'n3' must look like id=host:port");
    err.reset();
    assertThat(run("admin", "status", "--peers", "n1=x:1,n1=y:2")).isEqualTo(2);
    assertThat(err()).contains("option --peers: peer id 'n1' appears twice");
  }

  @Test
  void outOfRangeNumbers_exit2_namingTheOption() {
    assertThat(run("admin", "status", "--peers", PEERS, "--timeout-seconds", "0")).isEqualTo(2);
    assertThat(err()).contains("option --timeout-seconds: 0 is out of range 1 to 86400");
    err.reset();
    assertThat(run("admin", "add", "n3=h:1", "--peers", PEERS, "--priority", "-1")).isEqualTo(2);
    assertThat(err()).contains("option --priority: -1 is out of range");
  }

  @Test
  void wrongArgumentCounts_exit2() {
    assertThat(run("admin", "remove", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter: 'ID'");
    err.reset();
    assertThat(run("admin", "priority", "n1", "high", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("(N): 'high' is not an int");
    err.reset();
    assertThat(run("admin", "transfer", "n1", "n2", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("Unmatched argument").contains("'n2'");
  }

  @Test
  void node_unknownApp_exits2_listingTheApps() {
    assertThat(run("node", "--id", "n1", "--peers", PEERS, "--data", "d", "--app", "chess"))
        .isEqualTo(2);
    assertThat(err()).contains("option --app: 'chess' is not one of app");
  }

  @Test
  void node_badCluster_exits2_namingTheOption() {
    assertThat(
            run(
                "node",
                "--id",
                "n1",
                "--peers",
                PEERS,
                "--data",
                "d",
                "--app",
                "app",
                "--cluster",
                "no spaces"))
        .isEqualTo(2);
    assertThat(err()).contains("option --cluster:").contains("no spaces");
  }
}
