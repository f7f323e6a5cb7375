package io.baton.torture.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.torture.check.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property tests of the checker: histories of a simulated atomic register must pass; the same
 * histories with one read made certainly impossible must fail; and on tiny random histories the
 * checker agrees with brute force.
 */
final class GeneratedHistoryTest {
  private static final Duration BUDGET = Duration.ofSeconds(10);

  private static Verdict check(List<Op> ops) {
    return LinearizabilityChecker.check(
            new RegisterModel(), LinearizabilityChecker.normalize(ops), BUDGET)
        .verdict();
  }

  @Test
  void historiesOfAnAtomicRegister_areLinearizable() {
    for (int seed = 0; seed < 300; seed++) {
      RegisterSimulator sim = new RegisterSimulator(seed);
      int clients = 2 + seed % 6;
      List<Op> history = sim.linearizable(clients, 50 + seed % 150, 0.03, 0.03);
      assertThat(check(history)).as("seed %d", seed).isEqualTo(Verdict.LINEARIZABLE);
    }
  }

  @Test
  void staleReadMutation_isAlwaysCaught() {
    int mutated = 0;
    for (int seed = 0; seed < 300; seed++) {
      List<Op> history = new RegisterSimulator(seed).linearizable(2 + seed % 6, 120, 0.03, 0.03);
      List<Op> bad = makeStale(history, new Random(seed));
      if (bad != null) {
        mutated++;
        assertThat(check(bad)).as("seed %d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
      }
    }
    assertThat(mutated).isGreaterThan(250);
  }

  @Test
  void readOfNeverWrittenValue_isAlwaysCaught() {
    for (int seed = 0; seed < 300; seed++) {
      List<Op> history = new RegisterSimulator(seed).linearizable(2 + seed % 6, 120, 0.03, 0.03);
      List<Op> bad = replaceRead(history, new Random(seed), "never-written");
      assertThat(check(bad)).as("seed %d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }

  @Test
  void readOfValueWrittenOnlyLater_isAlwaysCaught() {
    int mutated = 0;
    for (int seed = 0; seed < 300; seed++) {
      List<Op> history = new RegisterSimulator(seed).linearizable(2 + seed % 6, 120, 0.03, 0.03);
      List<Op> bad = makeFromTheFuture(history, new Random(seed));
      if (bad != null) {
        mutated++;
        assertThat(check(bad)).as("seed %d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
      }
    }
    assertThat(mutated).isGreaterThan(250);
  }

  @Test
  void tinyRandomHistories_agreeWithBruteForce() {
    Random random = new Random(42);
    int linearizable = 0;
    for (int i = 0; i < 3000; i++) {
      List<Op> ops = randomHistory(random, 1 + random.nextInt(7));
      boolean expected = BruteForce.linearizable(new RegisterModel(), ops);
      Verdict v = check(ops);
      assertThat(v).as("history %d: %s", i, ops).isNotEqualTo(Verdict.UNKNOWN);
      assertThat(v == Verdict.LINEARIZABLE).as("history %d: %s", i, ops).isEqualTo(expected);
      if (expected) {
        linearizable++;
      }
    }
    // Both verdicts are well represented, so the agreement means something.
    assertThat(linearizable).isBetween(300, 2700);
  }

  /** A read returns the value of a write that was overwritten before the read was invoked. */
  static List<Op> makeStale(List<Op> history, Random random) {
    List<Op> definite = new ArrayList<>();
    for (Op op : history) {
      if (op.outcome() == Outcome.OK && isEffect(op)) {
        definite.add(op);
      }
    }
    List<Op> reads =
        history.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK).toList();
    for (int attempt = 0; attempt < 50; attempt++) {
      Op r = reads.get(random.nextInt(reads.size()));
      for (Op w1 : definite) {
        if (w1.value() == null || w1.completeNanos() >= r.invokeNanos()) {
          continue;
        }
        for (Op w2 : definite) {
          if (w2.invokeNanos() > w1.completeNanos()
              && w2.completeNanos() < r.invokeNanos()
              && !Objects.equals(w1.value(), r.result())) {
            return replace(history, r, w1.value());
          }
        }
      }
    }
    return null;
  }

  /** A read returns the value of a write invoked only after the read returned. */
  static List<Op> makeFromTheFuture(List<Op> history, Random random) {
    List<Op> reads =
        history.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK).toList();
    for (int attempt = 0; attempt < 50; attempt++) {
      Op r = reads.get(random.nextInt(reads.size()));
      for (Op w : history) {
        if (w.value() != null
            && (w.type() == OpType.WRITE || w.type() == OpType.CAS)
            && w.invokeNanos() > r.completeNanos()) {
          return replace(history, r, w.value());
        }
      }
    }
    return null;
  }

  private static boolean isEffect(Op op) {
    return switch (op.type()) {
      case WRITE -> true;
      case CAS, DELETE -> op.flag();
      default -> false;
    };
  }

  static List<Op> replaceRead(List<Op> history, Random random, String value) {
    List<Op> reads =
        history.stream().filter(o -> o.type() == OpType.READ && o.outcome() == Outcome.OK).toList();
    return replace(history, reads.get(random.nextInt(reads.size())), value);
  }

  private static List<Op> replace(List<Op> history, Op read, String value) {
    List<Op> out = new ArrayList<>();
    for (Op op : history) {
      out.add(op.id() == read.id() ? op.withOutcome(Outcome.OK, value) : op);
    }
    return out;
  }

  /** Random operations over a tiny value domain with random answers: many are impossible. */
  static List<Op> randomHistory(Random random, int n) {
    List<Op> ops = new ArrayList<>();
    String[] domain = {null, "a", "b", "c"};
    for (int i = 0; i < n; i++) {
      long invoke = random.nextInt(30);
      long complete = invoke + random.nextInt(15);
      Outcome outcome = random.nextInt(6) == 0 ? Outcome.UNKNOWN : Outcome.OK;
      String v = domain[1 + random.nextInt(3)];
      String any = domain[random.nextInt(4)];
      Op op =
          switch (random.nextInt(4)) {
            case 0 -> Op.read(i, i, "k", any, invoke, complete);
            case 1 -> Op.write(i, i, "k", v, outcome, any, invoke, complete);
            case 2 -> Op.cas(i, i, "k", any, v, outcome, random.nextBoolean(), invoke, complete);
            default -> Op.delete(i, i, "k", outcome, random.nextBoolean(), invoke, complete);
          };
      ops.add(op);
    }
    return ops;
  }

  /** Every order of the operations that respects real time, with unknown operations optional. */
  static final class BruteForce {
    private BruteForce() {}

    static boolean linearizable(RegisterModel model, List<Op> ops) {
      List<Op> kept = LinearizabilityChecker.normalize(ops);
      return search(model, model.init(), kept, new HashSet<>());
    }

    private static boolean search(
        RegisterModel model, RegisterModel.State state, List<Op> ops, Set<Long> done) {
      if (done.size() == ops.size()) {
        return true;
      }
      for (Op x : ops) {
        if (done.contains(x.id())) {
          continue;
        }
        if (x.outcome() == Outcome.UNKNOWN) {
          done.add(x.id()); // never takes effect
          boolean ok = search(model, state, ops, done);
          done.remove(x.id());
          if (ok) {
            return true;
          }
        }
        boolean minimal = true;
        for (Op y : ops) {
          if (!done.contains(y.id())
              && y.id() != x.id()
              && y.outcome() == Outcome.OK
              && y.completeNanos() < x.invokeNanos()) {
            minimal = false;
            break;
          }
        }
        if (!minimal) {
          continue;
        }
        RegisterModel.State next = model.step(state, x);
        if (next != null) {
          done.add(x.id());
          boolean ok = search(model, next, ops, done);
          done.remove(x.id());
          if (ok) {
            return true;
          }
        }
      }
      return false;
    }
  }
}
