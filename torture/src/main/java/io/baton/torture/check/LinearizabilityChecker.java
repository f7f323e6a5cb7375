package io.baton.torture.check;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/*
 * Wing & Gong's search for a linearization, with Lowe's memoization, in the shape Porcupine uses.
 *
 * Every operation becomes a call entry and a return entry in one list sorted by time (calls before
 * returns on equal times, so that touching intervals count as concurrent). Walking from the head,
 * the calls met before the first return are exactly the operations that may take effect next: an
 * operation cannot be placed after one that returned before it was called. The search tries each
 * such call in turn; if the model accepts it, the operation is "lifted" out of the list (both its
 * entries) and the walk restarts from the head. Reaching a return entry means its operation could
 * not be placed before it, so the search backtracks: the last lifted operation is put back and the
 * walk continues after it. The history is linearizable when the list empties; it is not when the
 * search must backtrack with nothing left to undo.
 *
 * Lowe's improvement is the cache of (set of linearized operations, model state): two search paths
 * that reach the same set with the same state have the same future, so the second is cut. That is
 * why the model's states must be values.
 *
 * An operation whose outcome is unknown gets a return time of +infinity: it may take effect at any
 * point after its call, and taking effect "never" is the same as taking effect after everything
 * else, which the search always reaches once every definite operation is placed.
 *
 * The search is exponential in the worst case, so it runs against a deadline. Running out of time
 * is a third verdict, UNKNOWN, which the harness treats as a failed run, never as a pass.
 */
/** Decides whether a history of one object is linearizable with respect to a {@link Model}. */
public final class LinearizabilityChecker {
  private LinearizabilityChecker() {}

  /** The answer. */
  public enum Verdict {
    LINEARIZABLE,
    NOT_LINEARIZABLE,
    /** The search ran out of time or memory before deciding: not a pass. */
    UNKNOWN
  }

  /**
   * What the search found.
   *
   * @param verdict the answer
   * @param ops how many operations were checked
   * @param linearization for a linearizable history, a valid order; otherwise the longest prefix of
   *     one the search found
   * @param stuckAt for a history that is not linearizable, the operation that could not be placed
   *     after the longest prefix (it had to take effect before it returned, and no state allowed
   *     it); null otherwise
   * @param configurations how many (set, state) configurations the search cached
   * @param elapsed how long the search took
   */
  public record Result(
      Verdict verdict,
      int ops,
      List<Op> linearization,
      Op stuckAt,
      long configurations,
      Duration elapsed) {}

  /**
   * Keeps the operations the checker should see: a {@link Outcome#FAIL} operation never happened,
   * and a read without a definite answer constrains nothing, so both are dropped.
   */
  public static List<Op> normalize(List<Op> history) {
    List<Op> kept = new ArrayList<>();
    for (Op op : history) {
      if (op.outcome() == Outcome.FAIL) {
        continue;
      }
      if (op.type().isRead() && op.outcome() != Outcome.OK) {
        continue;
      }
      kept.add(op);
    }
    return kept;
  }

  private static final class Entry {
    final int op;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(int op, boolean call, long time) {
      this.op = op;
      this.call = call;
      this.time = time;
    }
  }

  private record Config(BitSet linearized, Object state) {}

  private record Frame(Entry call, Object stateBefore) {}

  /**
   * Above this many cached configurations the search gives up (UNKNOWN) rather than exhaust heap.
   */
  static final int MAX_CONFIGURATIONS = 4_000_000;

  /**
   * Checks {@code history} (already {@linkplain #normalize normalized}: only definite operations
   * and effectful unknown ones) against {@code model}, giving up after {@code budget}.
   */
  public static <S> Result check(Model<S> model, List<Op> history, Duration budget) {
    long started = System.nanoTime();
    long deadline = started + budget.toNanos();
    int n = history.size();
    Op[] ops = history.toArray(new Op[0]);
    Entry head = buildList(ops);

    Set<Config> cache = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    BitSet linearized = new BitSet(n);
    Object state = model.init();
    List<Op> longest = List.of();
    Op stuckAt = null;
    long iterations = 0;

    Entry e = head.next;
    while (head.next != null) {
      if ((++iterations & 0xFFF) == 0
          && (System.nanoTime() > deadline || cache.size() > MAX_CONFIGURATIONS)) {
        return new Result(Verdict.UNKNOWN, n, longest, null, cache.size(), since(started));
      }
      if (e.call) {
        @SuppressWarnings("unchecked")
        S next = model.step((S) state, ops[e.op]);
        if (next != null) {
          BitSet with = (BitSet) linearized.clone();
          with.set(e.op);
          if (cache.add(new Config(with, next))) {
            stack.push(new Frame(e, state));
            state = next;
            linearized = with;
            lift(e);
            e = head.next;
            continue;
          }
        }
        e = e.next;
      } else {
        if (stack.size() >= longest.size() && (stuckAt == null || stack.size() > longest.size())) {
          longest = order(stack, ops);
          stuckAt = ops[e.op];
        }
        if (stack.isEmpty()) {
          return new Result(
              Verdict.NOT_LINEARIZABLE, n, longest, stuckAt, cache.size(), since(started));
        }
        Frame f = stack.pop();
        state = f.stateBefore();
        linearized = (BitSet) linearized.clone();
        linearized.clear(f.call().op);
        unlift(f.call());
        e = f.call().next;
      }
    }
    return new Result(
        Verdict.LINEARIZABLE, n, order(stack, ops), null, cache.size(), since(started));
  }

  private static Entry buildList(Op[] ops) {
    List<Entry> entries = new ArrayList<>(2 * ops.length);
    for (int i = 0; i < ops.length; i++) {
      Op op = ops[i];
      Entry call = new Entry(i, true, op.invokeNanos());
      long ret = op.outcome() == Outcome.UNKNOWN ? Long.MAX_VALUE : op.completeNanos();
      Entry r = new Entry(i, false, ret);
      call.match = r;
      entries.add(call);
      entries.add(r);
    }
    entries.sort(
        Comparator.comparingLong((Entry x) -> x.time)
            .thenComparing(x -> !x.call)
            .thenComparingInt(x -> x.op));
    Entry head = new Entry(-1, false, Long.MIN_VALUE);
    Entry last = head;
    for (Entry x : entries) {
      last.next = x;
      x.prev = last;
      last = x;
    }
    return head;
  }

  /** Unlinks a call entry and its return entry. */
  private static void lift(Entry call) {
    call.prev.next = call.next;
    call.next.prev = call.prev;
    Entry r = call.match;
    r.prev.next = r.next;
    if (r.next != null) {
      r.next.prev = r.prev;
    }
  }

  /** Relinks what {@link #lift} unlinked, in reverse order. */
  private static void unlift(Entry call) {
    Entry r = call.match;
    r.prev.next = r;
    if (r.next != null) {
      r.next.prev = r;
    }
    call.prev.next = call;
    call.next.prev = call;
  }

  private static List<Op> order(Deque<Frame> stack, Op[] ops) {
    List<Op> result = new ArrayList<>(stack.size());
    for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
      result.add(ops[it.next().call().op]);
    }
    return result;
  }

  private static Duration since(long started) {
    return Duration.ofNanos(System.nanoTime() - started);
  }
}
