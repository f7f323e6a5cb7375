package io.baton.torture.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/*
 * Shrinking a non-linearizable register history to a small witness.
 *
 * Removing operations from a history is not monotone in general: drop the write whose value a read
 * returned and the read becomes impossible, so the smaller history fails for a reason the real one
 * did not have. A witness is only honest if "the witness is not linearizable" implies "the history
 * is not linearizable". Two kinds of step keep that implication:
 *
 * 1. Dropping an operation with no effect (a read, a compare-and-set that answered false, a delete
 *    that found nothing) only removes a constraint: any linearization of the history, minus that
 *    operation, linearizes the rest.
 *
 * 2. Dropping an operation with an effect (a write, a successful or unknown compare-and-set or
 *    delete) when nothing left could have observed that effect. In a linearization of the history,
 *    the only operations whose answers change when the dropped operation's effect disappears are
 *    those placed between it and the next effectful operation, and each of those observed the
 *    dropped effect: a read of its value, a compare-and-set expecting it, a successful write that
 *    reported replacing it, or, for a delete, an operation that saw the key absent. Operations that
 *    observe only that the register differs from something (a compare-and-set that answered false,
 *    a delete that found the key) could observe any effect, so while one remains, no effectful
 *    operation is dropped. Unknown compare-and-sets are conditional effects: one that took effect
 *    observed its expected value, and one that did not can move to the end.
 *
 * Before removing anything, the shrinker tries the model that ignores the values writes reported
 * replacing (fewer constraints, so again a sound relaxation): without it, every write observes the
 * one before it and the chain of writes back to the key's first could never be dropped.
 *
 * The search itself is delta debugging: try to remove chunks of half the history, then quarters,
 * down to single operations, keeping any removal after which the history is still not
 * linearizable, until the budget runs out.
 */
/**
 * Finds a small sub-history of a non-linearizable register history that is still not linearizable.
 */
public final class Shrinker {
  private Shrinker() {}

  /**
   * A witness: a sub-history that is not linearizable on its own, and whose not being linearizable
   * implies that the original history is not.
   *
   * @param ops the witness's operations in invocation order
   * @param replacedValuesChecked whether the witness needs the values writes reported replacing
   * @param fromNanos the earliest invocation in the witness
   * @param toNanos the latest completion in the witness
   */
  public record Witness(
      List<Op> ops, boolean replacedValuesChecked, long fromNanos, long toNanos) {}

  private enum Kind {
    NONE,
    VALUE,
    ABSENT,
    /** Observes only that the register differs from something: sensitive to every effect. */
    DIFFERENCE
  }

  private record Fact(Kind kind, String value) {
    static final Fact NONE = new Fact(Kind.NONE, null);
    static final Fact DIFFERENCE = new Fact(Kind.DIFFERENCE, null);

    static Fact of(String v) {
      return v == null ? new Fact(Kind.ABSENT, null) : new Fact(Kind.VALUE, v);
    }
  }

  /** Shrinks {@code history} (normalized, one key, not linearizable) within {@code budget}. */
  public static Witness shrink(List<Op> history, Duration budget) {
    long deadline = System.nanoTime() + budget.toNanos();
    RegisterModel model = new RegisterModel(false);
    if (check(model, history, deadline) != LinearizabilityChecker.Verdict.NOT_LINEARIZABLE) {
      model = new RegisterModel(true);
    }
    List<Op> current = new ArrayList<>(history);
    boolean shrunk = true;
    while (shrunk && System.nanoTime() < deadline) {
      shrunk = false;
      for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; chunk /= 2) {
        for (int start = 0; start < current.size() && System.nanoTime() < deadline; ) {
          int end = Math.min(current.size(), start + chunk);
          List<Op> candidate = remove(current, current.subList(start, end), model);
          if (candidate.size() < current.size() && notLinearizable(model, candidate, deadline)) {
            current = candidate;
            shrunk = true;
          } else {
            start = end;
          }
        }
      }
    }
    long from = current.stream().mapToLong(Op::invokeNanos).min().orElse(0);
    long to = current.stream().mapToLong(Op::completeNanos).max().orElse(0);
    return new Witness(List.copyOf(current), model.checksReplaced(), from, to);
  }

  private static boolean notLinearizable(RegisterModel model, List<Op> ops, long deadline) {
    return check(model, ops, deadline) == LinearizabilityChecker.Verdict.NOT_LINEARIZABLE;
  }

  private static LinearizabilityChecker.Verdict check(
      RegisterModel model, List<Op> ops, long deadline) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return LinearizabilityChecker.Verdict.UNKNOWN;
    }
    return LinearizabilityChecker.check(model, ops, Duration.ofNanos(left)).verdict();
  }

  /**
   * {@code ops} without the operations of {@code chunk} and, transitively, without every operation
   * that would observe a removed effect: the observers of a removed effect go too, and if any
   * effectful operation goes, so does every operation that observes a mere difference (see the
   * essay above). Removing such a closed set at once is sound: in a linearization of {@code ops},
   * each remaining operation observed the state left by the last effectful operation before it, and
   * none of them observed a removed one.
   */
  static List<Op> remove(List<Op> ops, List<Op> chunk, RegisterModel model) {
    Set<Long> dropped = new HashSet<>();
    Set<Fact> removedEffects = new HashSet<>();
    for (Op op : chunk) {
      dropped.add(op.id());
      Fact effect = effect(op);
      if (effect.kind() != Kind.NONE) {
        removedEffects.add(effect);
      }
    }
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Op y : ops) {
        if (dropped.contains(y.id())) {
          continue;
        }
        Fact seen = observation(y, model);
        boolean observesRemoved =
            removedEffects.contains(seen)
                || (seen.kind() == Kind.DIFFERENCE && !removedEffects.isEmpty());
        if (observesRemoved) {
          dropped.add(y.id());
          Fact effect = effect(y);
          if (effect.kind() != Kind.NONE) {
            removedEffects.add(effect);
          }
          grew = true;
        }
      }
    }
    List<Op> left = new ArrayList<>();
    for (Op op : ops) {
      if (!dropped.contains(op.id())) {
        left.add(op);
      }
    }
    return left;
  }

  /** What {@code op} does to the register, if anything. */
  static Fact effect(Op op) {
    boolean ok = op.outcome() == Outcome.OK;
    return switch (op.type()) {
      case WRITE -> Fact.of(Objects.requireNonNull(op.value(), "written value"));
      case CAS -> !ok || op.flag() ? Fact.of(op.value()) : Fact.NONE;
      case DELETE -> !ok || op.flag() ? Fact.of(null) : Fact.NONE;
      default -> Fact.NONE;
    };
  }

  /** What state {@code op}'s answer (or, for an unknown compare-and-set, its effect) depends on. */
  static Fact observation(Op op, RegisterModel model) {
    boolean ok = op.outcome() == Outcome.OK;
    return switch (op.type()) {
      case READ -> Fact.of(op.result());
      case WRITE -> ok && model.checksReplaced() ? Fact.of(op.result()) : Fact.NONE;
      case CAS -> !ok || op.flag() ? Fact.of(op.expected()) : Fact.DIFFERENCE;
      case DELETE -> !ok ? Fact.NONE : op.flag() ? Fact.DIFFERENCE : Fact.of(null);
      default -> Fact.NONE;
    };
  }
}
