package io.baton.torture.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class SetCheckerTest {
  private static Op add(long id, String e, Outcome outcome, long from, long to) {
    return new Op(id, 1, "s", OpType.ADD, e, null, outcome, null, null, from, to, null);
  }

  private static Op read(long id, Set<String> elements, long from, long to) {
    return new Op(
        id, 2, "s", OpType.READ_SET, null, null, Outcome.OK, null, elements, from, to, null);
  }

  private static SetChecker.Result check(List<Op> ops, Set<String> fin) {
    return SetChecker.check(ops, fin == null ? Map.of() : Map.of("s", fin)).get(0);
  }

  @Test
  void everyAcknowledgedAddPresent_unknownAddsEitherWay_isValid() {
    List<Op> ops =
        List.of(
            add(1, "a", Outcome.OK, 0, 10),
            add(2, "b", Outcome.UNKNOWN, 5, 20),
            add(3, "c", Outcome.UNKNOWN, 6, 20),
            add(4, "d", Outcome.FAIL, 7, 9),
            read(5, Set.of("a"), 15, 18),
            read(6, Set.of("a", "b"), 30, 40));
    SetChecker.Result r = check(ops, Set.of("a", "b"));
    assertThat(r.valid()).isTrue();
    assertThat(r.recovered()).isEqualTo(1);
    assertThat(r.okAdds()).isEqualTo(1);
    assertThat(r.unknownAdds()).isEqualTo(2);
    assertThat(r.failedAdds()).isEqualTo(1);
  }

  @Test
  void acknowledgedAddMissingAtTheEnd_isLost() {
    SetChecker.Result r =
        check(List.of(add(1, "a", Outcome.OK, 0, 10), add(2, "b", Outcome.OK, 0, 10)), Set.of("b"));
    assertThat(r.valid()).isFalse();
    assertThat(r.lostCount()).isEqualTo(1);
    assertThat(r.lost().get(0)).contains("add a");
  }

  @Test
  void elementNeverAddedOrWhoseAddFailed_isUnexpected() {
    SetChecker.Result r = check(List.of(add(1, "a", Outcome.FAIL, 0, 10)), Set.of("a", "zz"));
    assertThat(r.valid()).isFalse();
    assertThat(r.unexpected()).containsExactly("a", "zz");
  }

  @Test
  void readMissingAnAddAcknowledgedBeforeIt_isStale() {
    SetChecker.Result r =
        check(List.of(add(1, "a", Outcome.OK, 0, 10), read(2, Set.of(), 11, 20)), Set.of("a"));
    assertThat(r.valid()).isFalse();
    assertThat(r.staleCount()).isEqualTo(1);
  }

  @Test
  void readConcurrentWithAnAdd_mayMissIt() {
    SetChecker.Result r =
        check(List.of(add(1, "a", Outcome.OK, 0, 10), read(2, Set.of(), 10, 20)), Set.of("a"));
    assertThat(r.valid()).isTrue();
  }

  @Test
  void readSeeingAnAddInvokedAfterIt_isEarly() {
    SetChecker.Result r =
        check(List.of(read(1, Set.of("a"), 0, 10), add(2, "a", Outcome.OK, 11, 20)), Set.of("a"));
    assertThat(r.valid()).isFalse();
    assertThat(r.earlyCount()).isEqualTo(1);
  }

  @Test
  void addReportingAReplacedValue_isADuplicate() {
    Op twice = new Op(1, 1, "s", OpType.ADD, "a", null, Outcome.OK, "a", null, 0, 10, null);
    SetChecker.Result r = check(List.of(twice), Set.of("a"));
    assertThat(r.valid()).isFalse();
    assertThat(r.duplicates()).hasSize(1);
  }

  @Test
  void missingFinalRead_isNotValid() {
    assertThat(check(List.of(add(1, "a", Outcome.OK, 0, 10)), null).valid()).isFalse();
  }
}
