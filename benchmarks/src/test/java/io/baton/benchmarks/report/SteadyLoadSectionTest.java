package io.baton.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SteadyLoadSectionTest {
  @TempDir Path dir;

  @Test
  void generate_tenMinuteRuns_tableAndAnElectionVerdictPerProfile() throws IOException {
    String md = generate(json -> json);

    assertThat(md)
        .contains("### No needless elections under steady load (SteadyLoadBenchmark)")
        .contains(
            "| FAST | 600 s | 80 % (7,990 / 10,000) | 0 | 0 | 3.20 ms / 12.5 ms / 48.0 ms | 0.50 |")
        .contains(
            "| DEFAULT | 600 s | 80 % (7,985 / 10,010) | 1 | 3 | 3.40 ms / 14.0 ms / 310 ms | 1.25 |")
        .contains("| no needless elections under steady load, FAST: 0 | 0 | met |")
        .contains("| no needless elections under steady load, DEFAULT: 0 | 1 | **missed** by 1 |")
        .contains("| zero failed writes under steady load | 0 | met (asserted) |");
  }

  @Test
  void generate_shortOrLightRun_decidesNothing() throws IOException {
    String md =
        generate(
            json ->
                json.replace("\"durationSeconds\": \"600\"", "\"durationSeconds\": \"20\"")
                    .replace("\"loadPercent\": \"80\"", "\"loadPercent\": \"50\""));

    assertThat(md)
        .contains("| FAST | 20 s | 50 % (")
        .contains(
            "| no needless elections under steady load, DEFAULT: 0 | 1 | not measured: 20 s at"
                + " 50 %, the target needs 600 s at 80 % |")
        .doesNotContain("**missed** by 1");
  }

  private String generate(UnaryOperator<String> edit) throws IOException {
    Path file = dir.resolve("steady.json");
    try (InputStream in = SteadyLoadSectionTest.class.getResourceAsStream("/jmh/steady.json")) {
      Files.writeString(file, edit.apply(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    }
    return ResultsReport.generate(JmhResults.read(file), new Properties());
  }
}
