package io.baton.torture.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the counter workload. The kv example has no increment command, so the workload increments
 * with compare-and-set from the value it read to that value plus one: each successful
 * compare-and-set adds exactly one, one that answered false adds nothing, and an unknown one adds
 * one or nothing. Hence, with {@code ok} successful and {@code unknown} unknown increments:
 *
 * <ul>
 *   <li>the final value lies in {@code [ok, ok + unknown]};
 *   <li>every read is at least the number of successful increments that completed before it was
 *       invoked, and at most the number of successful or unknown increments invoked before it
 *       returned;
 *   <li>a read invoked after another read returned is not smaller (the counter only grows).
 * </ul>
 */
public final class CounterChecker {
  private CounterChecker() {}

  /**
   * One counter's result. {@code problems} is capped at 20 entries.
   *
   * @param key the counter
   * @param okIncrements compare-and-sets that succeeded
   * @param unknownIncrements compare-and-sets with an unknown outcome
   * @param refusedIncrements compare-and-sets that answered false or definitely failed
   * @param reads reads with an answer
   * @param finalValue the final linearizable read, or -1 if there was none
   * @param problems descriptions of every bound violated
   * @param problemCount how many
   */
  public record Result(
      String key,
      int okIncrements,
      int unknownIncrements,
      int refusedIncrements,
      int reads,
      long finalValue,
      List<String> problems,
      int problemCount) {

    /** Whether every bound held; a missing final read fails it. */
    public boolean valid() {
      return finalValue >= 0 && problemCount == 0;
    }
  }

  /** Parses a counter value as stored: absent is zero. */
  public static long value(String stored) {
    return stored == null ? 0 : Long.parseLong(stored);
  }

  /** Checks each counter in {@code history} against its final value in {@code finalValues}. */
  public static List<Result> check(List<Op> history, Map<String, Long> finalValues) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      if (op.type() == OpType.INCREMENT || op.type() == OpType.READ_COUNTER) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      Long fin = finalValues.get(e.getKey());
      results.add(checkOne(e.getKey(), e.getValue(), fin == null ? -1 : fin));
    }
    return results;
  }

  static Result checkOne(String key, List<Op> ops, long finalValue) {
    List<Op> ok = new ArrayList<>();
    List<Op> maybe = new ArrayList<>();
    List<Op> reads = new ArrayList<>();
    int refused = 0;
    for (Op op : ops) {
      if (op.type() == OpType.INCREMENT) {
        if (op.outcome() == Outcome.OK && op.flag()) {
          ok.add(op);
          maybe.add(op);
        } else if (op.outcome() == Outcome.UNKNOWN) {
          maybe.add(op);
        } else {
          refused++;
        }
      } else if (op.outcome() == Outcome.OK) {
        reads.add(op);
      }
    }
    List<String> problems = new ArrayList<>();
    int count = 0;
    if (finalValue >= 0 && (finalValue < ok.size() || finalValue > maybe.size())) {
      count++;
      problems.add(
          "final value "
              + finalValue
              + " is outside ["
              + ok.size()
              + ", "
              + maybe.size()
              + "] (successful, successful + unknown increments)");
    }
    for (Op read : reads) {
      long v = value(read.result());
      long lower = ok.stream().filter(i -> i.completeNanos() < read.invokeNanos()).count();
      long upper = maybe.stream().filter(i -> i.invokeNanos() < read.completeNanos()).count();
      if (v < lower || v > upper) {
        count++;
        if (problems.size() < 20) {
          problems.add(read.describe() + " is outside [" + lower + ", " + upper + "]");
        }
      }
    }
    List<Op> sorted = new ArrayList<>(reads);
    sorted.sort((a, b) -> Long.compare(a.completeNanos(), b.completeNanos()));
    // For each read, the largest value among reads that returned before it was invoked.
    for (Op read : reads) {
      long v = value(read.result());
      for (Op before : sorted) {
        if (before.completeNanos() >= read.invokeNanos()) {
          break;
        }
        if (value(before.result()) > v) {
          count++;
          if (problems.size() < 20) {
            problems.add(read.describe() + " went backwards from " + before.describe());
          }
          break;
        }
      }
    }
    return new Result(
        key,
        ok.size(),
        maybe.size() - ok.size(),
        refused,
        reads.size(),
        finalValue,
        problems,
        count);
  }
}
