package io.baton.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.FailureDetection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
  }
}
