package io.baton.torture.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the set workload, Jepsen's set checker plus checks of the reads taken during the run.
 *
 * <p>Each {@link OpType#ADD} adds a unique element; each {@link OpType#READ_SET} reads them all.
 * After the run, a final linearizable read gives each set's contents. Then:
 *
 * <ul>
 *   <li><b>lost</b>: an add that succeeded is missing from the final read (a lost acknowledged
 *       write);
 *   <li><b>unexpected</b>: an element in a read that was never added, or whose add definitely
 *       failed;
 *   <li><b>stale</b>: a read misses an element whose add succeeded before the read was invoked;
 *   <li><b>early</b>: a read has an element whose add was invoked only after the read returned;
 *   <li><b>duplicate</b>: a successful add reported replacing a value, so its key was written twice
 *       (a command applied twice);
 *   <li><b>recovered</b> (not an error): unknown adds that are present.
 * </ul>
 */
public final class SetChecker {
  private SetChecker() {}

  /**
   * One set's result. Lists are capped at 20 entries each; the counts are exact.
   *
   * @param key the set
   * @param okAdds adds that succeeded
   * @param unknownAdds adds with an unknown outcome
   * @param failedAdds adds that definitely failed
   * @param reads reads with an answer
   * @param finalSize elements in the final read, or -1 if there was none
   * @param lost succeeded adds missing from the final read
   * @param lostCount how many
   * @param unexpected elements never added (or whose add failed), in any read
   * @param unexpectedCount how many
   * @param staleReads descriptions of reads missing an element acknowledged before them
   * @param staleCount how many such (read, element) pairs
   * @param earlyReads descriptions of reads with an element added only after them
   * @param earlyCount how many such pairs
   * @param duplicates adds that reported replacing a value
   * @param recovered unknown adds present in the final read
   */
  public record Result(
      String key,
      int okAdds,
      int unknownAdds,
      int failedAdds,
      int reads,
      int finalSize,
      List<String> lost,
      int lostCount,
      List<String> unexpected,
      int unexpectedCount,
      List<String> staleReads,
      int staleCount,
      List<String> earlyReads,
      int earlyCount,
      List<String> duplicates,
      int recovered) {

    /** Whether the set passed every check; a missing final read fails it. */
    public boolean valid() {
      return finalSize >= 0
          && lostCount == 0
          && unexpectedCount == 0
          && staleCount == 0
          && earlyCount == 0
          && duplicates.isEmpty();
    }
  }

  private static final int CAP = 20;

  /**
   * Checks each set's operations in {@code history} (other types are ignored) against its final
   * contents in {@code finalReads} (a set missing there fails).
   */
  public static List<Result> check(List<Op> history, Map<String, Set<String>> finalReads) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      if (op.type() == OpType.ADD || op.type() == OpType.READ_SET) {
        byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
      }
    }
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      results.add(checkOne(e.getKey(), e.getValue(), finalReads.get(e.getKey())));
    }
    return results;
  }

  static Result checkOne(String key, List<Op> ops, Set<String> finalRead) {
    Map<String, Op> adds = new HashMap<>();
    List<Op> reads = new ArrayList<>();
    int ok = 0;
    int unknown = 0;
    int failed = 0;
    List<String> duplicates = new ArrayList<>();
    for (Op op : ops) {
      if (op.type() == OpType.ADD) {
        adds.put(op.value(), op);
        switch (op.outcome()) {
          case OK -> {
            ok++;
            if (op.result() != null) {
              duplicates.add(op.describe());
            }
          }
          case UNKNOWN -> unknown++;
          case FAIL -> failed++;
        }
      } else if (op.outcome() == Outcome.OK) {
        reads.add(op);
      }
    }
    Set<String> unexpected = new TreeSet<>();
    List<String> lost = new ArrayList<>();
    int lostCount = 0;
    int recovered = 0;
    if (finalRead != null) {
      for (Op add : adds.values()) {
        boolean present = finalRead.contains(add.value());
        if (add.outcome() == Outcome.OK && !present) {
          lostCount++;
          addCapped(lost, add.describe());
        } else if (add.outcome() == Outcome.UNKNOWN && present) {
          recovered++;
        }
      }
      collectUnexpected(finalRead, adds, unexpected);
    }
    List<String> stale = new ArrayList<>();
    List<String> early = new ArrayList<>();
    int staleCount = 0;
    int earlyCount = 0;
    for (Op read : reads) {
      collectUnexpected(read.elements(), adds, unexpected);
      for (Op add : adds.values()) {
        boolean seen = read.elements().contains(add.value());
        if (add.outcome() == Outcome.OK && add.completeNanos() < read.invokeNanos() && !seen) {
          staleCount++;
          addCapped(stale, read.describe() + " misses " + add.describe());
        }
        if (seen && add.invokeNanos() > read.completeNanos()) {
          earlyCount++;
          addCapped(early, read.describe() + " has " + add.describe());
        }
      }
    }
    List<String> unexpectedList = new ArrayList<>();
    for (String u : unexpected) {
      addCapped(unexpectedList, u);
    }
    return new Result(
        key,
        ok,
        unknown,
        failed,
        reads.size(),
        finalRead == null ? -1 : finalRead.size(),
        lost,
        lostCount,
        unexpectedList,
        unexpected.size(),
        stale,
        staleCount,
        early,
        earlyCount,
        duplicates,
        recovered);
  }

  private static void collectUnexpected(Set<String> seen, Map<String, Op> adds, Set<String> into) {
    for (String element : seen) {
      Op add = adds.get(element);
      if (add == null || add.outcome() == Outcome.FAIL) {
        into.add(element);
      }
    }
  }

  private static void addCapped(List<String> list, String s) {
    if (list.size() < CAP) {
      list.add(s);
    }
  }
}
