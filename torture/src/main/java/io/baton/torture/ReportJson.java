package io.baton.torture;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.baton.torture.check.CounterChecker;
import io.baton.torture.check.Op;
import io.baton.torture.check.OpType;
import io.baton.torture.check.Outcome;
import io.baton.torture.check.RegisterChecker;
import io.baton.torture.check.SetChecker;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The run's files for tools, written with Jackson: {@code report.json} (the report's figures, field
 * names as in {@code docs/reliability.md}) and {@code history.jsonl} (one JSON object per line for
 * each invocation and completion, in time order).
 *
 * <p>Seconds are written with three decimals (millisecond precision), and a non-finite number as
 * {@code null}.
 */
final class ReportJson {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().registerModule(new SimpleModule().addSerializer(new SecondsSerializer()));
  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));
  private static final ObjectWriter LINE = MAPPER.writer();

  private ReportJson() {}

  /** Writes {@code report.json}. */
  static void writeReport(RunResult r, Path file) throws IOException {
    Files.writeString(file, PRETTY.writeValueAsString(report(r)) + "\n", StandardCharsets.UTF_8);
  }

  /** One invocation or completion of {@code op} at {@code nanos}, history time. */
  private record Event(long nanos, boolean completion, Op op) {}

  /** Writes {@code history.jsonl}: every operation's invocation and completion, in time order. */
  static void writeHistory(List<Op> ops, Path file) throws IOException {
    List<Event> events = new ArrayList<>();
    for (Op op : ops) {
      events.add(new Event(op.invokeNanos(), false, op));
      events.add(new Event(op.completeNanos(), true, op));
    }
    events.sort(Comparator.comparingLong(Event::nanos).thenComparing(Event::completion));
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Event e : events) {
        w.write(LINE.writeValueAsString(historyLine(e)));
        w.newLine();
      }
    }
  }

  private static Map<String, Object> historyLine(Event e) {
    Op op = e.op();
    boolean invoke = !e.completion();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("t", e.nanos());
    m.put(
        "type",
        invoke
            ? "invoke"
            : op.outcome() == Outcome.UNKNOWN
                ? "info"
                : op.outcome().name().toLowerCase(Locale.ROOT));
    m.put("id", op.id());
    m.put("p", op.process());
    m.put("key", op.key());
    m.put("f", op.type().name().toLowerCase(Locale.ROOT));
    if (op.value() != null) {
      m.put("value", op.value());
    }
    if (op.type() == OpType.CAS || op.type() == OpType.INCREMENT) {
      m.put("expected", op.expected());
    }
    if (!invoke) {
      if (op.outcome() == Outcome.OK) {
        if (op.type() == OpType.READ_SET) {
          m.put("elements", new ArrayList<>(new TreeSet<>(op.elements())));
        } else {
          m.put("result", op.result());
        }
      } else {
        m.put("error", op.error());
      }
    }
    return m;
  }

  /** The content of {@code report.json}. */
  static Map<String, Object> report(RunResult r) {
    TortureOptions o = r.options();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("verdict", r.passed() ? "pass" : "fail");
    m.put("reasons", r.reasons());
    m.put("seed", o.seed());
    m.put("reproduce", o.reproduce());
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("baton", Report.version("io.baton", "baton-core"));
    scope.put("ratis", Report.version("org.apache.ratis", "ratis-server"));
    scope.put("java", System.getProperty("java.version"));
    scope.put("nodes", o.nodes());
    scope.put("profile", o.profile().name());
    scope.put("network", r.network());
    scope.put("nemeses", o.nemeses().stream().sorted().map(NemesisKind::label).toList());
    scope.put("notExercised", r.notExercised());
    scope.put("clients", o.clients());
    scope.put("brokenMode", o.brokenStaleReads());
    scope.put("startedAt", r.startedAt().toString());
    scope.put("workloadSeconds", r.workload().toMillis() / 1000.0);
    scope.put("elapsedSeconds", r.elapsed().toMillis() / 1000.0);
    m.put("scope", scope);
    Map<String, Object> counts = new LinkedHashMap<>();
    Report.counts(r.ops())
        .forEach(
            (w, c) -> {
              Map<String, Object> x = new TreeMap<>();
              c.forEach((k, v) -> x.put(k.name().toLowerCase(Locale.ROOT), v));
              counts.put(w, x);
            });
    m.put("operations", counts);
    List<Object> faults = new ArrayList<>();
    for (Fault f : r.faults()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("number", f.number);
      x.put("kind", f.kind.label());
      x.put("description", f.description());
      x.put("startSeconds", f.startNanos() / 1e9);
      x.put("endSeconds", f.endNanos() / 1e9);
      x.put("proven", f.ok());
      x.put("evidence", f.evidence());
      x.put("problems", f.ok() ? List.of() : f.problems());
      faults.add(x);
    }
    m.put("faults", faults);
    m.put("leaderChanges", r.leaderChanges());
    m.put("recoveryMillis", r.recoveryMillis());
    List<Object> gaps = new ArrayList<>();
    for (Report.Gap g : Report.gaps(r.ops(), r.workload().toNanos(), r.faults(), 3)) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("seconds", g.seconds());
      x.put("fromSeconds", g.fromNanos() / 1e9);
      x.put("toSeconds", g.toNanos() / 1e9);
      x.put("faults", g.faults());
      gaps.add(x);
    }
    m.put("availabilityGaps", gaps);
    Map<String, Object> checkers = new LinkedHashMap<>();
    if (r.register() != null) {
      Map<String, Object> reg = new LinkedHashMap<>();
      reg.put("valid", r.register().valid());
      reg.put("keys", r.register().keys().size());
      reg.put(
          "operations",
          r.register().keys().stream().mapToInt(RegisterChecker.KeyResult::ops).sum());
      List<Object> failures = new ArrayList<>();
      for (RegisterChecker.KeyResult k : r.register().failures()) {
        Map<String, Object> x = new LinkedHashMap<>();
        x.put("key", k.key());
        x.put("verdict", k.verdict().name());
        x.put("stuckAt", k.stuckAt() == null ? null : k.stuckAt().describe());
        x.put(
            "witness",
            k.witness() == null
                ? List.of()
                : k.witness().ops().stream().map(Op::describe).toList());
        failures.add(x);
      }
      reg.put("failures", failures);
      checkers.put("register", reg);
    }
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("valid", r.sets().stream().allMatch(SetChecker.Result::valid));
    set.put("sets", r.sets().size());
    set.put("acknowledgedAdds", r.sets().stream().mapToInt(SetChecker.Result::okAdds).sum());
    set.put("lost", r.sets().stream().mapToInt(SetChecker.Result::lostCount).sum());
    set.put("unexpected", r.sets().stream().mapToInt(SetChecker.Result::unexpectedCount).sum());
    set.put("staleReads", r.sets().stream().mapToInt(SetChecker.Result::staleCount).sum());
    set.put("unknownAdds", r.sets().stream().mapToInt(SetChecker.Result::unknownAdds).sum());
    set.put("recovered", r.sets().stream().mapToInt(SetChecker.Result::recovered).sum());
    checkers.put("set", set);
    List<Object> counters = new ArrayList<>();
    for (CounterChecker.Result c : r.counters()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("key", c.key());
      x.put("valid", c.valid());
      x.put("final", c.finalValue());
      x.put("okIncrements", c.okIncrements());
      x.put("unknownIncrements", c.unknownIncrements());
      x.put("problems", c.problems());
      counters.add(x);
    }
    checkers.put("counter", counters);
    m.put("checkers", checkers);
    if (r.convergence() != null) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("converged", r.convergence().converged());
      c.put("method", r.convergence().method());
      c.put("digests", r.convergence().digests());
      c.put("entries", r.convergence().entries());
      c.put("differences", r.convergence().differences());
      m.put("convergence", c);
    }
    m.put("logFindings", r.logFindings());
    m.put("probeKeys", r.probeKeys());
    return m;
  }

  /** Writes doubles (all of them seconds here) with three decimals, and NaN or infinity as null. */
  private static final class SecondsSerializer extends StdSerializer<Double> {
    private static final long serialVersionUID = 1L;

    SecondsSerializer() {
      super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (value.isNaN() || value.isInfinite()) {
        gen.writeNull();
      } else {
        gen.writeNumber(String.format(Locale.ROOT, "%.3f", value));
      }
    }
  }
}
