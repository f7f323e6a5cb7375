package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

final class TortureMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return TortureMain.run(
        List.of(args),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void help_printsUsage_andExitsZero() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Usage: baton torture", "--duration", "--nemesis", "--seed", "Exit status");
    out.reset();
    assertThat(run("help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--rejoin");
  }

  @Test
  void version_printsBatonsVersion_andExitsZero() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("baton ").doesNotContain("unknown");
  }

  @Test
  void badNodeCount_exitsTwo_namingTheOption() {
    assertThat(run("--nodes", "4")).isEqualTo(2);
    assertThat(err())
        .contains("baton torture: option --nodes: must be 3 or 5, got 4")
        .contains("Run 'baton torture --help' for usage.");
  }

  @Test
  void unknownNemesis_exitsTwo_listingTheChoices() {
    assertThat(run("--nemesis", "kill,flood")).isEqualTo(2);
    assertThat(err())
        .contains("'flood'")
        .contains("kill, pause, partition, loss, membership, delay, all");
  }

  @Test
  void badDuration_unknownOption_missingValue_andRepeats_exitTwo() {
    assertThat(run("--duration", "soon")).isEqualTo(2);
    assertThat(err()).contains("'--duration': 'soon' is not a duration");
    assertThat(run("--duration", "5s")).isEqualTo(2);
    assertThat(err()).contains("--duration: must be at least 10s, got 5s");
    assertThat(run("--colour", "red")).isEqualTo(2);
    assertThat(err()).contains("Unknown option").contains("'--colour'");
    assertThat(run("--seed")).isEqualTo(2);
    assertThat(err()).contains("Missing required parameter for option '--seed'");
    assertThat(run("--seed", "1", "--seed", "2")).isEqualTo(2);
    assertThat(err()).contains("option '--seed' (N) should be specified only once");
    assertThat(run("--clients", "33")).isEqualTo(2);
    assertThat(err()).contains("option --clients: 33 is out of range 1 to 32");
    assertThat(run("--profile", "SLOW")).isEqualTo(2);
    assertThat(err()).contains("FAST, DEFAULT, WAN").contains("'SLOW'");
    assertThat(run("--broken", "everything")).isEqualTo(2);
    assertThat(err()).contains("stale-reads");
    assertThat(run("--rejoin", "sometimes")).isEqualTo(2);
    assertThat(err()).contains("'--rejoin': 'sometimes' is not one of both, wiped, old-data");
  }

  @Test
  void defaults_matchTheDocumentedOnes() {
    TortureOptions o = TortureMain.parse("--seed", "3");
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(o.nodes()).isEqualTo(3);
    assertThat(o.nemeses()).containsExactlyInAnyOrder(NemesisKind.values());
    assertThat(o.clients()).isEqualTo(6);
    assertThat(o.snapshotEvery()).isEqualTo(2000);
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.recoveryTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.checkBudget()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.minOkOps()).isEqualTo(1000);
    assertThat(o.network()).isEqualTo(TortureOptions.NetworkMode.AUTO);
    assertThat(o.brokenStaleReads()).isFalse();
    assertThat(o.out().toString()).endsWith("-seed-3");
  }

  @Test
  void rejoin_parses_andOnlyANonDefaultChoiceIsReproduced() {
    assertThat(TortureMain.parse("--seed", "1").rejoin()).isEqualTo(TortureOptions.Rejoin.BOTH);
    assertThat(TortureMain.parse("--seed", "1").reproduce()).doesNotContain("rejoin");
    TortureOptions o = TortureMain.parse("--rejoin", "old-data", "--seed", "1");
    assertThat(o.rejoin()).isEqualTo(TortureOptions.Rejoin.OLD_DATA);
    assertThat(o.reproduce()).contains("--rejoin old-data");
  }

  @Test
  void options_parseDurationsNemesesAndReproduceThemselves() {
    TortureOptions o =
        TortureMain.parse(
            "--duration",
            "30m",
            "--nodes",
            "5",
            "--nemesis",
            "kill,partition",
            "--seed",
            "42",
            "--profile",
            "fast",
            "--out",
            "/tmp/x");
    assertThat(o.duration()).isEqualTo(Duration.ofMinutes(30));
    assertThat(o.nodes()).isEqualTo(5);
    assertThat(o.nemeses()).containsExactlyInAnyOrder(NemesisKind.KILL, NemesisKind.PARTITION);
    assertThat(o.reproduce())
        .contains(
            "--duration 30m",
            "--nodes 5",
            "--nemesis kill,partition",
            "--seed 42",
            "--profile FAST");
    assertThat(TortureMain.parse("--nemesis", "all").nemeses())
        .containsExactlyInAnyOrder(NemesisKind.values());
  }

  @Test
  void membershipAndDelay_parse_reproduce_andOnlyDelayNeedsTheNetwork() {
    TortureOptions o = TortureMain.parse("--nemesis", "membership, DELAY", "--seed", "7");
    assertThat(o.nemeses()).containsExactlyInAnyOrder(NemesisKind.MEMBERSHIP, NemesisKind.DELAY);
    assertThat(o.reproduce()).contains("--nemesis membership,delay");
    assertThat(NemesisKind.DELAY.needsNetwork()).isTrue();
    assertThat(NemesisKind.MEMBERSHIP.needsNetwork()).isFalse();
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("membership, delay");
  }
}
