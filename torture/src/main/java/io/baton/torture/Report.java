package io.baton.torture;

import io.baton.torture.check.CounterChecker;
import io.baton.torture.check.LinearizabilityChecker;
import io.baton.torture.check.Op;
import io.baton.torture.check.Outcome;
import io.baton.torture.check.RegisterChecker;
import io.baton.torture.check.SetChecker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Writes a run's report: renders {@code report.txt} for people, and has {@link ReportJson} write
 * {@code report.json} and {@code history.jsonl} (one line per invocation and completion) for tools.
 */
final class Report {
  private Report() {}

  /**
   * A stretch of the workload with no successful operation at all.
   *
   * @param fromNanos start, history time
   * @param toNanos end, history time
   * @param faults the faults active during it
   */
  record Gap(long fromNanos, long toNanos, List<String> faults) {
    double seconds() {
      return (toNanos - fromNanos) / 1e9;
    }
  }

  /** The longest stretches without a successful operation, longest first (at most {@code n}). */
  static List<Gap> gaps(List<Op> ops, long endNanos, List<Fault> faults, int n) {
    List<Long> oks = new ArrayList<>();
    for (Op op : ops) {
      if (op.outcome() == Outcome.OK) {
        oks.add(op.completeNanos());
      }
    }
    oks.sort(null);
    List<Gap> gaps = new ArrayList<>();
    long previous = ops.isEmpty() ? 0 : ops.get(0).invokeNanos();
    oks.add(Math.max(endNanos, previous));
    for (long t : oks) {
      if (t > previous) {
        gaps.add(new Gap(previous, t, overlapping(faults, previous, t)));
      }
      previous = Math.max(previous, t);
    }
    gaps.sort(Comparator.comparingLong((Gap g) -> g.toNanos() - g.fromNanos()).reversed());
    return gaps.subList(0, Math.min(n, gaps.size()));
  }

  private static List<String> overlapping(List<Fault> faults, long from, long to) {
    List<String> names = new ArrayList<>();
    for (Fault f : faults) {
      long end = f.endNanos() < 0 ? Long.MAX_VALUE : f.endNanos();
      if (f.startNanos() < to && end > from) {
        names.add("#" + f.number + " " + f.description());
      }
    }
    return names;
  }

  static String version(String group, String artifact) {
    String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Report.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e9);
  }

  private static String duration(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  /** Operation counts by workload and outcome. */
  static Map<String, Map<Outcome, Integer>> counts(List<Op> ops) {
    Map<String, Map<Outcome, Integer>> counts = new LinkedHashMap<>();
    for (String w : List.of("register", "set", "counter", "all")) {
      Map<Outcome, Integer> m = new EnumMap<>(Outcome.class);
      for (Outcome o : Outcome.values()) {
        m.put(o, 0);
      }
      counts.put(w, m);
    }
    for (Op op : ops) {
      String w =
          switch (op.type()) {
            case READ, WRITE, CAS, DELETE -> "register";
            case ADD, READ_SET -> "set";
            case INCREMENT, READ_COUNTER -> "counter";
          };
      counts.get(w).merge(op.outcome(), 1, Integer::sum);
      counts.get("all").merge(op.outcome(), 1, Integer::sum);
    }
    return counts;
  }

  /** Writes the three files and returns the text report. */
  static String write(RunResult r) {
    try {
      Files.createDirectories(r.reportDir());
      String text = text(r);
      Files.writeString(r.reportDir().resolve("report.txt"), text, StandardCharsets.UTF_8);
      ReportJson.writeReport(r, r.reportDir().resolve("report.json"));
      ReportJson.writeHistory(r.ops(), r.reportDir().resolve("history.jsonl"));
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report to " + r.reportDir(), e);
    }
  }

  static String text(RunResult r) {
    TortureOptions o = r.options();
    StringBuilder b = new StringBuilder();
    b.append("Baton torture run: ").append(r.passed() ? "PASS" : "FAIL").append('\n');
    b.append("seed ")
        .append(o.seed())
        .append("; reproduce with:\n  ")
        .append(o.reproduce())
        .append("\n\n");
    b.append("scope\n");
    b.append("  Baton ")
        .append(version("io.baton", "baton-core"))
        .append(", Apache Ratis ")
        .append(version("org.apache.ratis", "ratis-server"))
        .append(", Java ")
        .append(System.getProperty("java.version"))
        .append('\n');
    b.append("  ")
        .append(o.nodes())
        .append(" node processes, profile ")
        .append(o.profile())
        .append(", snapshot every ")
        .append(o.snapshotEvery())
        .append(" entries\n");
    b.append("  network: ").append(r.network()).append('\n');
    b.append(
            "  workloads: register (read/write/cas/delete), set (add/read), counter (cas increment); ")
        .append(o.clients())
        .append(" client threads, request timeout ")
        .append(o.requestTimeout().toSeconds())
        .append(" s\n");
    b.append("  nemeses asked for: ")
        .append(String.join(",", o.nemeses().stream().sorted().map(NemesisKind::label).toList()))
        .append('\n');
    for (String n : r.notExercised()) {
      b.append("  !! ").append(n).append('\n');
    }
    if (o.brokenStaleReads()) {
      b.append("  BROKEN MODE: register reads are STALE reads; the checker must convict them\n");
    }
    b.append("  started ")
        .append(r.startedAt())
        .append(", workload ")
        .append(duration(r.workload()))
        .append(", whole run ")
        .append(duration(r.elapsed()))
        .append("\n\n");

    b.append("verdict: ").append(r.passed() ? "PASS" : "FAIL").append('\n');
    for (String reason : r.reasons()) {
      b.append("  - ").append(reason).append('\n');
    }
    b.append('\n');

    b.append("operations (ok / fail / unknown)\n");
    for (Map.Entry<String, Map<Outcome, Integer>> e : counts(r.ops()).entrySet()) {
      Map<Outcome, Integer> c = e.getValue();
      b.append(
          String.format(
              Locale.ROOT,
              "  %-9s %7d / %5d / %4d%n",
              e.getKey(),
              c.get(Outcome.OK),
              c.get(Outcome.FAIL),
              c.get(Outcome.UNKNOWN)));
    }
    double secs = r.workload().toMillis() / 1000.0;
    b.append(
        String.format(
            Locale.ROOT,
            "  %.0f ok operations per second%n%n",
            counts(r.ops()).get("all").get(Outcome.OK) / Math.max(1, secs)));

    b.append("faults (times in seconds since the start of the workload)\n");
    if (r.faults().isEmpty()) {
      b.append("  none\n");
    }
    for (Fault f : r.faults()) {
      b.append(
          String.format(
              Locale.ROOT,
              "  #%-3d %8s - %-8s %-9s %s  [%s]%n",
              f.number,
              seconds(f.startNanos()),
              f.endNanos() < 0 ? "?" : seconds(f.endNanos()),
              f.kind.label(),
              f.description(),
              f.ok() ? "proven" : "PROBLEM"));
      for (String ev : f.evidence()) {
        b.append("         ").append(ev).append('\n');
      }
      if (!f.ok()) {
        for (String p : f.problems()) {
          b.append("         !! ").append(p).append('\n');
        }
      }
    }
    b.append("  leader changes announced: ").append(r.leaderChanges()).append('\n');
    if (!r.recoveryMillis().isEmpty()) {
      long max = r.recoveryMillis().stream().mapToLong(Long::longValue).max().orElse(0);
      b.append("  recovery after heal (first linearizable read): max ").append(max).append(" ms\n");
    }
    b.append('\n');

    b.append("availability: longest stretches without any successful operation\n");
    long end = r.workload().toNanos();
    for (Gap g : gaps(r.ops(), end, r.faults(), 3)) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %6.2f s  [%s, %s]  %s%n",
              g.seconds(),
              seconds(g.fromNanos()),
              seconds(g.toNanos()),
              g.faults().isEmpty()
                  ? "(no fault active)"
                  : "during " + String.join("; ", g.faults())));
    }
    b.append('\n');

    appendRegister(b, r.register());
    appendSets(b, r.sets());
    appendCounters(b, r.counters());

    ConvergenceCheck.Result c = r.convergence();
    b.append("convergence: ")
        .append(c == null ? "not checked" : c.converged() ? "identical" : "DIFFERENT");
    if (c != null) {
      b.append(" (").append(c.method()).append(", ").append(duration(c.elapsed())).append(")\n");
      c.digests()
          .forEach(
              (node, d) ->
                  b.append("  ")
                      .append(node)
                      .append(": ")
                      .append(
                          c.entries().containsKey(node)
                              ? c.entries().get(node) + " entries, sha-256 "
                              : "sha-256 ")
                      .append(d)
                      .append('\n'));
      for (String d : c.differences()) {
        b.append("  !! ").append(d).append('\n');
      }
    } else {
      b.append('\n');
    }
    b.append('\n');
    b.append("node logs: ")
        .append(r.logFindings().isEmpty() ? "clean" : r.logFindings().size() + " findings")
        .append('\n');
    for (String f : r.logFindings()) {
      b.append("  ").append(f).append('\n');
    }
    if (!r.probeKeys().isEmpty()) {
      b.append("\nbroken-mode probes (each must be convicted): ")
          .append(r.probeKeys())
          .append('\n');
    }
    b.append("\nfiles: report.txt, report.json, history.jsonl, nodes/*.log in ")
        .append(r.reportDir())
        .append('\n');
    return b.toString();
  }

  private static void appendRegister(StringBuilder b, RegisterChecker.Result reg) {
    if (reg == null) {
      b.append("register: not checked\n\n");
      return;
    }
    int ops = reg.keys().stream().mapToInt(RegisterChecker.KeyResult::ops).sum();
    Duration longest =
        reg.keys().stream()
            .map(RegisterChecker.KeyResult::elapsed)
            .max(Comparator.naturalOrder())
            .orElse(Duration.ZERO);
    b.append("register (linearizability, per key): ")
        .append(reg.valid() ? "valid" : "INVALID")
        .append(
            String.format(
                Locale.ROOT,
                " - %d keys, %d operations checked, slowest key %d ms%n",
                reg.keys().size(),
                ops,
                longest.toMillis()));
    for (RegisterChecker.KeyResult k : reg.failures()) {
      b.append("  key ")
          .append(k.key())
          .append(": ")
          .append(k.verdict())
          .append(" (")
          .append(k.ops())
          .append(" operations, ")
          .append(k.elapsed().toMillis())
          .append(" ms)\n");
      if (k.verdict() == LinearizabilityChecker.Verdict.UNKNOWN) {
        b.append("    the search ran out of time: inconclusive, which fails the run\n");
        continue;
      }
      if (k.stuckAt() != null) {
        b.append("    no linearization can place: ").append(k.stuckAt().describe()).append('\n');
      }
      if (k.witness() != null) {
        b.append(
            String.format(
                Locale.ROOT,
                "    smallest non-linearizable sub-history found (%d operations, %s s to %s s%s):%n",
                k.witness().ops().size(),
                seconds(k.witness().fromNanos()),
                seconds(k.witness().toNanos()),
                k.witness().replacedValuesChecked() ? "" : "; replaced values not needed"));
        for (Op op : k.witness().ops()) {
          b.append("      ").append(op.describe()).append('\n');
        }
      }
    }
    b.append('\n');
  }

  private static void appendSets(StringBuilder b, List<SetChecker.Result> sets) {
    boolean valid = sets.stream().allMatch(SetChecker.Result::valid);
    int ok = sets.stream().mapToInt(SetChecker.Result::okAdds).sum();
    int unknown = sets.stream().mapToInt(SetChecker.Result::unknownAdds).sum();
    int recovered = sets.stream().mapToInt(SetChecker.Result::recovered).sum();
    int lost = sets.stream().mapToInt(SetChecker.Result::lostCount).sum();
    b.append("set (lost writes): ")
        .append(valid ? "valid" : "INVALID")
        .append(
            String.format(
                Locale.ROOT,
                " - %d sets, %d acknowledged adds, %d lost, %d unknown adds (%d present at the end)%n",
                sets.size(),
                ok,
                lost,
                unknown,
                recovered));
    for (SetChecker.Result s : sets) {
      if (s.valid()) {
        continue;
      }
      b.append("  set ").append(s.key()).append(s.finalSize() < 0 ? ": no final read\n" : ":\n");
      s.lost().forEach(x -> b.append("    lost: ").append(x).append('\n'));
      s.unexpected().forEach(x -> b.append("    unexpected element: ").append(x).append('\n'));
      s.staleReads().forEach(x -> b.append("    stale read: ").append(x).append('\n'));
      s.earlyReads().forEach(x -> b.append("    read from the future: ").append(x).append('\n'));
      s.duplicates().forEach(x -> b.append("    applied twice: ").append(x).append('\n'));
    }
    b.append('\n');
  }

  private static void appendCounters(StringBuilder b, List<CounterChecker.Result> counters) {
    boolean valid = counters.stream().allMatch(CounterChecker.Result::valid);
    b.append("counter (bounds): ").append(valid ? "valid" : "INVALID").append('\n');
    for (CounterChecker.Result c : counters) {
      b.append(
          String.format(
              Locale.ROOT,
              "  %s: final %d, %d ok increments, %d unknown, %d refused, %d reads%n",
              c.key(),
              c.finalValue(),
              c.okIncrements(),
              c.unknownIncrements(),
              c.refusedIncrements(),
              c.reads()));
      c.problems().forEach(p -> b.append("    !! ").append(p).append('\n'));
    }
    b.append('\n');
  }
}
