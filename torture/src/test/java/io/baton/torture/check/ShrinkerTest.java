package io.baton.torture.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.baton.torture.check.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class ShrinkerTest {
  private static Verdict check(RegisterModel model, List<Op> ops) {
    return LinearizabilityChecker.check(model, ops, Duration.ofSeconds(10)).verdict();
  }

  @Test
  void staleReadInALongHistory_shrinksToTheReadAndTheTwoWrites() {
    List<Op> ops = new ArrayList<>();
    String previous = null;
    long t = 0;
    for (int i = 0; i < 100; i++) {
      String v = "v" + i;
      ops.add(Op.write(ops.size(), 1, "k", v, Outcome.OK, previous, t, t + 5));
      ops.add(Op.read(ops.size(), 2, "k", v, t + 6, t + 9));
      previous = v;
      t += 10;
    }
    Op stale = Op.read(ops.size(), 3, "k", "v50", t, t + 5);
    ops.add(stale);
    for (int i = 100; i < 120; i++) {
      String v = "v" + i;
      ops.add(Op.write(ops.size(), 1, "k", v, Outcome.OK, previous, t + 10, t + 15));
      previous = v;
      t += 10;
    }

    Shrinker.Witness w = Shrinker.shrink(ops, Duration.ofSeconds(20));

    assertThat(w.ops()).hasSize(3).contains(stale);
    assertThat(w.ops()).extracting(Op::value).contains("v50");
    assertThat(w.replacedValuesChecked()).isFalse();
    assertThat(check(new RegisterModel(false), w.ops())).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void witness_isAlwaysNotLinearizable_andASubHistory() {
    for (int seed = 0; seed < 100; seed++) {
      List<Op> history = new RegisterSimulator(seed).linearizable(2 + seed % 5, 100, 0.03, 0.0);
      List<Op> bad =
          LinearizabilityChecker.normalize(
              GeneratedHistoryTest.replaceRead(history, new Random(seed), "never"));
      Shrinker.Witness w = Shrinker.shrink(bad, Duration.ofSeconds(10));
      assertThat(bad).containsAll(w.ops());
      assertThat(check(new RegisterModel(w.replacedValuesChecked()), w.ops()))
          .isEqualTo(Verdict.NOT_LINEARIZABLE);
      assertThat(w.ops()).hasSizeLessThanOrEqualTo(2);
    }
  }

  @Test
  void soundRemovals_keepLinearizableHistoriesLinearizable() {
    // The removals the shrinker may make are monotone: applied to a linearizable history they must
    // leave it linearizable, or a witness could blame Baton for a failure the shrinker invented.
    Random random = new Random(7);
    int removals = 0;
    for (int seed = 0; seed < 200; seed++) {
      List<Op> history =
          LinearizabilityChecker.normalize(
              new RegisterSimulator(seed).linearizable(2 + seed % 6, 80, 0.05, 0.0));
      for (boolean strict : new boolean[] {true, false}) {
        RegisterModel model = new RegisterModel(strict);
        List<Op> current = history;
        for (int step = 0; step < 30 && current.size() > 1; step++) {
          int from = random.nextInt(current.size());
          int to = Math.min(current.size(), from + 1 + random.nextInt(4));
          List<Op> next = Shrinker.remove(current, current.subList(from, to), model);
          if (next.size() < current.size()) {
            removals++;
            assertThat(check(model, next))
                .as("seed %d step %d", seed, step)
                .isEqualTo(Verdict.LINEARIZABLE);
            current = next;
          }
        }
      }
    }
    assertThat(removals).isGreaterThan(3000);
  }
}
