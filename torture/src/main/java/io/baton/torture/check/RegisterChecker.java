package io.baton.torture.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks the register workload: splits the history by key (linearizability is compositional:
 * Herlihy and Wing), checks each key's history against {@link RegisterModel}, and shrinks each
 * failure to a {@link Shrinker.Witness}.
 */
public final class RegisterChecker {
  private RegisterChecker() {}

  /**
   * One key's result.
   *
   * @param key the register
   * @param verdict the checker's answer; {@code UNKNOWN} means it ran out of time
   * @param ops how many operations were checked (after dropping failed operations and reads without
   *     an answer)
   * @param elapsed how long the check took
   * @param stuckAt for a key that is not linearizable, the operation the search could not place
   * @param witness for a key that is not linearizable, a small sub-history that is not either
   */
  public record KeyResult(
      String key,
      LinearizabilityChecker.Verdict verdict,
      int ops,
      Duration elapsed,
      Op stuckAt,
      Shrinker.Witness witness) {}

  /**
   * The workload's result.
   *
   * @param keys every key's result, in the order the keys first appear
   */
  public record Result(List<KeyResult> keys) {
    /** Whether every key was checked and is linearizable. */
    public boolean valid() {
      return keys.stream()
          .allMatch(k -> k.verdict() == LinearizabilityChecker.Verdict.LINEARIZABLE);
    }

    /** The keys that are not linearizable or could not be decided. */
    public List<KeyResult> failures() {
      return keys.stream()
          .filter(k -> k.verdict() != LinearizabilityChecker.Verdict.LINEARIZABLE)
          .toList();
    }
  }

  /**
   * Checks every register operation in {@code history} (other types are ignored), spending at most
   * {@code perKey} on each key's search and {@code shrinkBudget} on shrinking each failure.
   */
  public static Result check(List<Op> history, Duration perKey, Duration shrinkBudget) {
    Map<String, List<Op>> byKey = new LinkedHashMap<>();
    for (Op op : history) {
      switch (op.type()) {
        case READ, WRITE, CAS, DELETE ->
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        default -> {}
      }
    }
    List<KeyResult> results = new ArrayList<>();
    RegisterModel model = new RegisterModel();
    for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
      List<Op> ops = LinearizabilityChecker.normalize(e.getValue());
      LinearizabilityChecker.Result r = LinearizabilityChecker.check(model, ops, perKey);
      Shrinker.Witness witness = null;
      if (r.verdict() == LinearizabilityChecker.Verdict.NOT_LINEARIZABLE) {
        witness = Shrinker.shrink(ops, shrinkBudget);
      }
      results.add(
          new KeyResult(e.getKey(), r.verdict(), ops.size(), r.elapsed(), r.stuckAt(), witness));
    }
    return new Result(List.copyOf(results));
  }
}
