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
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("--duration", "--nemesis", "--seed");
  }

  @Test
  void badNodeCount_exitsTwo_namingTheOption() {
    assertThat(run("--nodes", "4")).isEqualTo(2);
    assertThat(err()).contains("--nodes: must be 3 or 5, got 4").contains("--help");
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
    assertThat(err()).contains("--duration: 'soon' is not a duration");
    assertThat(run("--colour", "red")).isEqualTo(2);
    assertThat(err()).contains("unknown option --colour");
    assertThat(run("--seed")).isEqualTo(2);
    assertThat(err()).contains("--seed needs a value");
    assertThat(run("--seed", "1", "--seed", "2")).isEqualTo(2);
    assertThat(err()).contains("--seed is given twice");
    assertThat(run("--profile", "SLOW")).isEqualTo(2);
    assertThat(err()).contains("FAST, DEFAULT, WAN");
    assertThat(run("--broken", "everything")).isEqualTo(2);
    assertThat(err()).contains("stale-reads");
    assertThat(run("--rejoin", "sometimes")).isEqualTo(2);
    assertThat(err()).contains("--rejoin: 'sometimes' is not one of both, wiped, old-data");
  }

  @Test
  void rejoin_parses_andOnlyANonDefaultChoiceIsReproduced() {
    assertThat(TortureOptions.parse(List.of("--seed", "1")).rejoin())
        .isEqualTo(TortureOptions.Rejoin.BOTH);
    assertThat(TortureOptions.parse(List.of("--seed", "1")).reproduce()).doesNotContain("rejoin");
    TortureOptions o = TortureOptions.parse(List.of("--rejoin", "old-data", "--seed", "1"));
    assertThat(o.rejoin()).isEqualTo(TortureOptions.Rejoin.OLD_DATA);
    assertThat(o.reproduce()).contains("--rejoin old-data");
  }

  @Test
  void options_parseDurationsNemesesAndReproduceThemselves() {
    TortureOptions o =
        TortureOptions.parse(
            List.of(
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
                "/tmp/x"));
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
    assertThat(TortureOptions.parse(List.of("--nemesis", "all")).nemeses())
        .containsExactlyInAnyOrder(NemesisKind.values());
  }

  @Test
  void membershipAndDelay_parse_reproduce_andOnlyDelayNeedsTheNetwork() {
    TortureOptions o =
        TortureOptions.parse(List.of("--nemesis", "membership, DELAY", "--seed", "7"));
    assertThat(o.nemeses()).containsExactlyInAnyOrder(NemesisKind.MEMBERSHIP, NemesisKind.DELAY);
    assertThat(o.reproduce()).contains("--nemesis membership,delay");
    assertThat(NemesisKind.DELAY.needsNetwork()).isTrue();
    assertThat(NemesisKind.MEMBERSHIP.needsNetwork()).isFalse();
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("membership, delay");
  }
}
