package io.baton.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.baton.FailureDetection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FailoverDemoTest {
  @Test
  void run_shortDemo_passesEveryCheck(@TempDir Path dir) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    int status =
        FailoverDemo.run(
            new FailoverDemo.Options(
                FailureDetection.DEFAULT,
                Duration.ofMillis(700),
                Duration.ofMillis(700),
                dir.resolve("data")),
            out);

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isZero();
    assertThat(output)
        .contains("took over: serving as leader")
        .contains("writes unavailable (client-observed):")
        .contains("lost acknowledged writes: 0")
        .contains("its state digest equals the leader's")
        .endsWith("demo passed\n");
    assertPhasesAddUpToTheFirstAcknowledgement(output);
  }

  /**
   * The four phases are printed, none is negative, and together they are the time from the kill to
   * the new leader's first acknowledged write, which the demo also prints (in whole milliseconds).
   */
  private static void assertPhasesAddUpToTheFirstAcknowledgement(String output) {
    Matcher total =
        Pattern.compile("where the ([0-9.]+) ms from the kill to n\\d's first acknowledged write")
            .matcher(output);
    assertThat(total.find()).as(output).isTrue();
    double sum = 0;
    for (String phase : List.of("detection", "election", "first commit", "client")) {
      Matcher m = Pattern.compile("\n  " + phase + " +(-?[0-9.]+) ms  until ").matcher(output);
      assertThat(m.find()).as("phase %s in:%n%s", phase, output).isTrue();
      double ms = Double.parseDouble(m.group(1));
      assertThat(ms).as("phase %s in:%n%s", phase, output).isGreaterThanOrEqualTo(0);
      sum += ms;
    }
    // Each printed value is rounded to 0.1 ms.
    assertThat(sum).as(output).isCloseTo(Double.parseDouble(total.group(1)), within(0.25));
    Matcher firstAck =
        Pattern.compile("acknowledged its first write ([0-9]+) ms after the kill").matcher(output);
    assertThat(firstAck.find()).as(output).isTrue();
    assertThat(Double.parseDouble(total.group(1)))
        .as(output)
        .isBetween(
            Double.parseDouble(firstAck.group(1)), Double.parseDouble(firstAck.group(1)) + 1);
  }
}
