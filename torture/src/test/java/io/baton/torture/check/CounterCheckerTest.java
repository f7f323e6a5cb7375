package io.baton.torture.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class CounterCheckerTest {
  private static Op incr(long id, long from, Outcome outcome, boolean set, long t0, long t1) {
    return new Op(
        id,
        1,
        "c",
        OpType.INCREMENT,
        Long.toString(from + 1),
        from == 0 ? null : Long.toString(from),
        outcome,
        outcome == Outcome.OK ? Boolean.toString(set) : null,
        null,
        t0,
        t1,
        null);
  }

  private static Op read(long id, long value, long t0, long t1) {
    return new Op(
        id,
        2,
        "c",
        OpType.READ_COUNTER,
        null,
        null,
        Outcome.OK,
        value == 0 ? null : Long.toString(value),
        null,
        t0,
        t1,
        null);
  }

  private static CounterChecker.Result check(List<Op> ops, long fin) {
    return CounterChecker.check(ops, Map.of("c", fin)).get(0);
  }

  @Test
  void finalValueBetweenOkAndOkPlusUnknown_isValid() {
    List<Op> ops =
        List.of(
            incr(1, 0, Outcome.OK, true, 0, 10),
            incr(2, 1, Outcome.OK, true, 20, 30),
            incr(3, 1, Outcome.OK, false, 20, 30),
            incr(4, 2, Outcome.UNKNOWN, false, 40, 50),
            read(5, 2, 35, 38));
    assertThat(check(ops, 2).valid()).isTrue();
    assertThat(check(ops, 3).valid()).isTrue();
    assertThat(check(ops, 1).valid()).isFalse();
    assertThat(check(ops, 4).valid()).isFalse();
  }

  @Test
  void readBelowIncrementsAcknowledgedBeforeIt_isInvalid() {
    List<Op> ops = List.of(incr(1, 0, Outcome.OK, true, 0, 10), read(2, 0, 11, 20));
    CounterChecker.Result r = check(ops, 1);
    assertThat(r.valid()).isFalse();
    assertThat(r.problems().get(0)).contains("outside [1, 1]");
  }

  @Test
  void readAboveIncrementsInvokedBeforeItReturned_isInvalid() {
    List<Op> ops = List.of(read(1, 1, 0, 10), incr(2, 0, Outcome.OK, true, 11, 20));
    assertThat(check(ops, 1).valid()).isFalse();
  }

  @Test
  void readGoingBackwards_isInvalid() {
    List<Op> ops =
        List.of(incr(1, 0, Outcome.OK, true, 0, 100), read(2, 1, 10, 20), read(3, 0, 30, 40));
    CounterChecker.Result r = check(ops, 1);
    assertThat(r.valid()).isFalse();
    assertThat(r.problems()).anyMatch(p -> p.contains("went backwards"));
  }

  @Test
  void missingFinalRead_isNotValid() {
    assertThat(CounterChecker.check(List.of(read(1, 0, 0, 1)), Map.of()).get(0).valid()).isFalse();
  }
}
