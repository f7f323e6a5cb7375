package io.baton.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument handling of the launcher: nothing here reaches a cluster. */
final class BatonCliTest {
  private static final String PEERS = "n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    BatonCli cli =
        new BatonCli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return cli.run(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void help_listsEverySubcommand() {
    assertThat(run("help")).isZero();
    assertThat(out())
        .contains("node", "kv", "counter", "fleet", "demo", "admin", "help", "generate-completion");
  }

  @Test
  void dashDashHelp_sameAsHelp() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("Usage: baton [-hV] COMMAND");
  }

  @Test
  void version_printsBatonsVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out()).startsWith("baton ").doesNotContain("unknown");
    out.reset();
    assertThat(run("kv", "get", "--version")).isZero();
    assertThat(out()).startsWith("baton ");
  }

  @Test
  void generateCompletion_printsABashScriptForEveryCommand() {
    assertThat(run("generate-completion")).isZero();
    assertThat(out()).startsWith("#!/usr/bin/env bash").contains("baton", "kv", "admin", "node");
  }

  @Test
  void noArguments_printsUsageAndExits2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("Usage: baton [-hV] COMMAND");
  }

  @Test
  void unknownCommand_exits2NamingIt() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err()).contains("'frobnicate'").contains("baton --help");
  }

  @Test
  void everySubcommand_hasHelp() {
    for (String command :
        new String[] {
          "node", "kv", "counter", "fleet", "demo", "admin", "kv put", "admin status"
        }) {
      out.reset();
      String[] words = (command + " --help").split(" ");
      assertThat(run(words)).as(command).isZero();
      assertThat(out()).as(command).contains("Usage: baton " + command);
    }
    for (String command : new String[] {"node", "kv", "demo", "admin"}) {
      out.reset();
      assertThat(run("help", command)).as(command).isZero();
      assertThat(out()).as(command).contains("Usage: baton " + command);
    }
  }

  @Test
  void kv_withoutPeers_exits2NamingTheOption() {
    assertThat(run("kv", "get", "k")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--peers").contains("baton kv get --help");
  }

  @Test
  void kv_unknownOption_exits2NamingIt() {
    assertThat(run("kv", "get", "k", "--peers", PEERS, "--colour", "red")).isEqualTo(2);
    assertThat(err()).contains("Unknown option").contains("'--colour'");
  }

  @Test
  void kv_optionWithoutValue_exits2NamingIt() {
    assertThat(run("kv", "get", "k", "--peers")).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter for option '--peers'");
  }

  @Test
  void kv_withoutOperation_exits2() {
    assertThat(run("kv")).isEqualTo(2);
    assertThat(err()).contains("Missing required subcommand").contains("baton kv --help");
  }

  @Test
  void admin_unknownOperation_exits2NamingIt() {
    assertThat(run("admin", "frobnicate", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("'frobnicate'").contains("baton admin --help");
  }

  @Test
  void admin_failbackTakesOnOrOff_exits2Otherwise() {
    assertThat(run("admin", "failback", "sometimes", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("'sometimes'").contains("ON, OFF");
  }

  @Test
  void kv_malformedPeers_exits2NamingTheOption() {
    assertThat(run("kv", "get", "k", "--peers", "n1=localhost")).isEqualTo(2);
    assertThat(err()).contains("option --peers:").contains("n1=localhost");
  }

  @Test
  void kv_badConsistency_exits2ListingTheChoices() {
    assertThat(run("kv", "get", "k", "--peers", PEERS, "--consistency", "eventual")).isEqualTo(2);
    assertThat(err())
        .contains("'--consistency'")
        .contains("LINEARIZABLE, FOLLOWER, STALE")
        .contains("'eventual'");
  }

  @Test
  void kv_limitOutOfRange_exits2NamingTheOption() {
    assertThat(run("kv", "scan", "p", "--peers", PEERS, "--limit", "0")).isEqualTo(2);
    assertThat(err()).contains("option --limit: 0 is out of range 1 to 10000");
    err.reset();
    assertThat(run("kv", "scan", "p", "--peers", PEERS, "--limit", "lots")).isEqualTo(2);
    assertThat(err()).contains("'--limit': 'lots' is not a long");
  }

  @Test
  void kv_wrongArgumentCount_exits2SayingWhatIsExpected() {
    assertThat(run("kv", "put", "k", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter: 'VALUE'");
    err.reset();
    assertThat(run("kv", "cas", "k", "v", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("'kv cas' takes KEY EXPECTED NEW, or KEY NEW with --absent");
  }

  @Test
  void kv_unknownOperation_exits2ListingTheOperations() {
    assertThat(run("kv", "upsert", "k", "v", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("'upsert'").contains("baton kv --help");
  }

  @Test
  void kv_absentOnOtherOperation_exits2() {
    assertThat(run("kv", "put", "k", "v", "--absent", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("Unknown option: '--absent'");
  }

  @Test
  void kv_optionGivenTwice_exits2() {
    assertThat(run("kv", "count", "--peers", PEERS, "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("option '--peers'").contains("should be specified only once");
  }

  @Test
  void counter_addNotANumber_exits2() {
    assertThat(run("counter", "add", "ten", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("(N): 'ten' is not a long");
  }

  @Test
  void fleet_coordinateNotANumber_exits2NamingTheArgument() {
    assertThat(run("fleet", "report", "truck-1", "51.5", "west", "--peers", PEERS)).isEqualTo(2);
    assertThat(err()).contains("(LON): 'west' is not a double");
  }

  @Test
  void fleet_negativeCoordinates_areArgumentsNotOptions() {
    // Parsing gets as far as the missing --peers, so "-0.12" was taken as LON.
    assertThat(run("fleet", "report", "truck-1", "-51.5", "-0.12")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--peers");
  }

  @Test
  void node_missingApp_exits2NamingTheOption() {
    assertThat(run("node", "--id", "n1", "--peers", PEERS, "--data", "d")).isEqualTo(2);
    assertThat(err()).contains("Missing required option: '--app");
  }

  @Test
  void node_unknownApp_exits2ListingTheApps() {
    assertThat(run("node", "--id", "n1", "--peers", PEERS, "--data", "d", "--app", "chess"))
        .isEqualTo(2);
    assertThat(err()).contains("option --app: 'chess' is not one of counter, fleet, kv");
  }

  @Test
  void node_badProfile_exits2ListingTheProfiles() {
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
                "kv",
                "--profile",
                "LUDICROUS"))
        .isEqualTo(2);
    assertThat(err())
        .contains("'--profile'")
        .contains("FAST, DEFAULT, WAN")
        .contains("'LUDICROUS'");
  }

  @Test
  void node_idNotAPeer_exits2WithTheConfigProblem() {
    assertThat(run("node", "--id", "n9", "--peers", PEERS, "--data", "d", "--app", "kv"))
        .isEqualTo(2);
    assertThat(err()).contains("invalid node configuration").contains("'n9'");
  }

  @Test
  void node_badSnapshotEvery_exits2() {
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
                "kv",
                "--snapshot-every",
                "0"))
        .isEqualTo(2);
    assertThat(err()).contains("option --snapshot-every: 0 is out of range");
  }

  @Test
  void demo_nonEmptyDataDir_exits2(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("something"), "x");

    assertThat(run("demo", "--data", dir.toString())).isEqualTo(2);
    assertThat(err()).contains("option --data:").contains("must be an empty directory");
  }

  @Test
  void demo_unexpectedArgument_exits2() {
    assertThat(run("demo", "now")).isEqualTo(2);
    assertThat(err()).contains("Unmatched argument").contains("'now'");
  }
}
