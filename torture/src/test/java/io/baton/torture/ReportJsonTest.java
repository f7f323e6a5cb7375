package io.baton.torture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.baton.torture.check.CounterChecker;
import io.baton.torture.check.Op;
import io.baton.torture.check.OpType;
import io.baton.torture.check.Outcome;
import io.baton.torture.check.RegisterChecker;
import io.baton.torture.check.SetChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ReportJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MS = 1_000_000L;

  /** A stale read on r/0, a set read and an increment that timed out. */
  private static List<Op> history() {
    return List.of(
        Op.write(0, 1, "r/0", "a", Outcome.OK, null, 0, 10 * MS),
        Op.write(1, 1, "r/0", "b", Outcome.OK, "a", 20 * MS, 30 * MS),
        Op.read(2, 2, "r/0", "a", 40 * MS, 50 * MS),
        new Op(3, 3, "s/0", OpType.ADD, "y", null, Outcome.OK, null, null, 60 * MS, 70 * MS, null),
        new Op(
            4,
            3,
            "s/0",
            OpType.READ_SET,
            null,
            null,
            Outcome.OK,
            null,
            Set.of("y", "x"),
            80 * MS,
            90 * MS,
            null),
        new Op(
            5,
            4,
            "c/0",
            OpType.INCREMENT,
            "1",
            null,
            Outcome.UNKNOWN,
            null,
            null,
            100 * MS,
            1_234_567_891L,
            "timed out \"after\" 1 s"));
  }

  private static RunResult result(Path dir) {
    List<Op> ops = history();
    Fault kill = new Fault(1, NemesisKind.KILL, "kill", 5 * MS);
    kill.describe("kill -9 n1, restart after 1000 ms");
    kill.proof("pid 7 is gone, exit status 137 (SIGKILL)");
    kill.end(1_500_123_456L);
    Fault pause = new Fault(2, NemesisKind.PAUSE, "pause", 2_000 * MS);
    pause.describe("SIGSTOP n2 for 1000 ms");
    pause.problem("pid 8 not stopped after SIGSTOP: /proc state S");
    pause.end(3_000 * MS);
    return new RunResult(
        TortureOptions.defaults(Duration.ofSeconds(60), 42, dir),
        "loopback",
        List.of("partition: NOT EXERCISED (not root)"),
        Instant.parse("2026-01-02T03:04:05Z"),
        Duration.ofMillis(60_500),
        Duration.ofMillis(75_250),
        ops,
        List.of(kill, pause),
        3,
        List.of(120L, 80L),
        RegisterChecker.check(ops, Duration.ofSeconds(5), Duration.ofSeconds(5)),
        SetChecker.check(ops, Map.of("s/0", Set.of("x", "y"))),
        CounterChecker.check(ops, Map.of("c/0", 1L)),
        new ConvergenceCheck.Result(
            true, "scan", Map.of("n1", "abc"), Map.of("n1", 3), List.of(), Duration.ofMillis(10)),
        List.of(),
        List.of(),
        List.of("register r/0: NOT_LINEARIZABLE"),
        dir);
  }

  @Test
  void write_reportJson_parsesBackWithTheDocumentedFields(@TempDir Path dir) throws IOException {
    Report.write(result(dir));

    JsonNode report = JSON.readTree(dir.resolve("report.json").toFile());
    assertThat(report.get("verdict").asText()).isEqualTo("fail");
    assertThat(report.get("reasons").get(0).asText()).isEqualTo("register r/0: NOT_LINEARIZABLE");
    assertThat(report.get("seed").asLong()).isEqualTo(42);
    JsonNode scope = report.get("scope");
    assertThat(scope.get("nodes").asInt()).isEqualTo(3);
    assertThat(scope.get("network").asText()).isEqualTo("loopback");
    assertThat(scope.get("notExercised").get(0).asText()).startsWith("partition");
    assertThat(scope.get("startedAt").asText()).isEqualTo("2026-01-02T03:04:05Z");
    assertThat(scope.get("workloadSeconds").decimalValue()).isEqualByComparingTo("60.5");
    assertThat(report.get("operations").get("all").get("ok").asInt()).isEqualTo(5);
    assertThat(report.get("operations").get("counter").get("unknown").asInt()).isEqualTo(1);

    JsonNode kill = report.get("faults").get(0);
    assertThat(kill.get("kind").asText()).isEqualTo("kill");
    assertThat(kill.get("description").asText()).isEqualTo("kill -9 n1, restart after 1000 ms");
    assertThat(kill.get("endSeconds").decimalValue()).isEqualByComparingTo("1.500");
    assertThat(kill.get("proven").asBoolean()).isTrue();
    assertThat(kill.get("problems")).isEmpty();
    JsonNode pause = report.get("faults").get(1);
    assertThat(pause.get("proven").asBoolean()).isFalse();
    assertThat(pause.get("problems")).hasSize(2);
    assertThat(report.get("recoveryMillis").get(1).asLong()).isEqualTo(80);
    assertThat(report.get("availabilityGaps")).isNotEmpty();

    JsonNode register = report.get("checkers").get("register");
    assertThat(register.get("valid").asBoolean()).isFalse();
    JsonNode failure = register.get("failures").get(0);
    assertThat(failure.get("key").asText()).isEqualTo("r/0");
    assertThat(failure.get("verdict").asText()).isEqualTo("NOT_LINEARIZABLE");
    assertThat(failure.get("witness")).isNotEmpty();
    assertThat(report.get("checkers").get("set").get("acknowledgedAdds").asInt()).isEqualTo(1);
    assertThat(report.get("checkers").get("counter").get(0).get("key").asText()).isEqualTo("c/0");
    assertThat(report.get("convergence").get("entries").get("n1").asInt()).isEqualTo(3);
    assertThat(report.get("logFindings")).isEmpty();
  }

  @Test
  void write_reportJson_writesSecondsWithThreeDecimals(@TempDir Path dir) throws IOException {
    Report.write(result(dir));

    String text = Files.readString(dir.resolve("report.json"), StandardCharsets.UTF_8);
    assertThat(text).contains("\"endSeconds\": 1.500,").endsWith("}\n");
  }

  @Test
  void write_historyJsonl_holdsOneObjectPerInvocationAndCompletion(@TempDir Path dir)
      throws IOException {
    Report.write(result(dir));

    List<String> lines = Files.readAllLines(dir.resolve("history.jsonl"), StandardCharsets.UTF_8);
    assertThat(lines).hasSize(2 * history().size());
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      events.add(JSON.readTree(line));
    }
    assertThat(events).extracting(e -> e.get("t").asLong()).isSorted();
    JsonNode first = events.get(0);
    assertThat(first.get("type").asText()).isEqualTo("invoke");
    assertThat(first.get("id").asLong()).isZero();
    assertThat(first.get("p").asInt()).isEqualTo(1);
    assertThat(first.get("key").asText()).isEqualTo("r/0");
    assertThat(first.get("f").asText()).isEqualTo("write");
    assertThat(first.get("value").asText()).isEqualTo("a");
    assertThat(first.has("result")).isFalse();

    JsonNode setRead = completionOf(events, 4);
    assertThat(setRead.get("type").asText()).isEqualTo("ok");
    assertThat(setRead.get("f").asText()).isEqualTo("read_set");
    assertThat(setRead.get("elements")).extracting(JsonNode::asText).containsExactly("x", "y");

    JsonNode increment = completionOf(events, 5);
    assertThat(increment.get("type").asText()).isEqualTo("info");
    assertThat(increment.get("expected").isNull()).isTrue();
    assertThat(increment.get("error").asText()).isEqualTo("timed out \"after\" 1 s");
    assertThat(increment.get("t").asLong()).isEqualTo(1_234_567_891L);
  }

  private static JsonNode completionOf(List<JsonNode> events, long id) {
    return events.stream()
        .filter(e -> e.get("id").asLong() == id && !e.get("type").asText().equals("invoke"))
        .findFirst()
        .orElseThrow();
  }
}
