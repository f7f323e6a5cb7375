package io.baton.torture.check;

import static io.baton.torture.check.LinearizabilityChecker.Verdict.LINEARIZABLE;
import static io.baton.torture.check.LinearizabilityChecker.Verdict.NOT_LINEARIZABLE;
import static io.baton.torture.check.LinearizabilityChecker.Verdict.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.baton.torture.check.LinearizabilityChecker.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written register histories with known verdicts. Times are in arbitrary units. */
final class LinearizabilityCheckerTest {
  private static final String K = "k";
  private int ids;

  private Op read(String value, long from, long to) {
    return Op.read(ids++, ids, K, value, from, to);
  }

  private Op write(String value, String replaced, long from, long to) {
    return Op.write(ids++, ids, K, value, Outcome.OK, replaced, from, to);
  }

  private Op unknownWrite(String value, long from, long gaveUp) {
    return Op.write(ids++, ids, K, value, Outcome.UNKNOWN, null, from, gaveUp);
  }

  private Op cas(String expected, String value, boolean set, long from, long to) {
    return Op.cas(ids++, ids, K, expected, value, Outcome.OK, set, from, to);
  }

  private static Verdict verdict(Op... ops) {
    return verdict(new RegisterModel(), List.of(ops));
  }

  private static Verdict verdict(RegisterModel model, List<Op> ops) {
    return LinearizabilityChecker.check(
            model, LinearizabilityChecker.normalize(ops), Duration.ofSeconds(10))
        .verdict();
  }

  @Test
  void readOfInitialValue_concurrentWithWrite_isLinearizable() {
    // MIT 6.824 quiz: the read of the initial value can be placed before the write.
    assertThat(verdict(write("100", null, 0, 100), read("100", 25, 75), read(null, 30, 60)))
        .isEqualTo(LINEARIZABLE);
  }

  @Test
  void readOfInitialValue_afterWriteWasObserved_isNotLinearizable() {
    assertThat(verdict(write("200", null, 0, 100), read("200", 10, 30), read(null, 40, 90)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void readOfNeverWrittenValue_isNotLinearizable() {
    // After "write 0" completes, a read concurrent with "write 4" returns 3, which nobody wrote.
    assertThat(verdict(write("0", null, 0, 10), write("4", "0", 20, 40), read("3", 25, 35)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void staleRead_afterOverwriteCompleted_isNotLinearizable() {
    assertThat(verdict(write("a", null, 0, 10), write("b", "a", 20, 30), read("a", 40, 50)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void readConcurrentWithOverwrite_mayReturnEitherValue() {
    assertThat(verdict(write("a", null, 0, 10), write("b", "a", 20, 30), read("a", 25, 50)))
        .isEqualTo(LINEARIZABLE);
    assertThat(verdict(write("a", null, 0, 10), write("b", "a", 20, 30), read("b", 25, 50)))
        .isEqualTo(LINEARIZABLE);
  }

  @Test
  void lostWrite_readOfAbsentAfterAcknowledgedWrite_isNotLinearizable() {
    assertThat(verdict(write("a", null, 0, 10), read(null, 20, 30))).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void writeVisibleBeforeItsInvocation_isNotLinearizable() {
    assertThat(verdict(read("a", 0, 10), write("a", null, 20, 30))).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casThatSucceededOnOverwrittenValue_isNotLinearizable() {
    assertThat(
            verdict(write("a", null, 0, 10), write("b", "a", 20, 30), cas("a", "c", true, 40, 50)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casThatFailedOnCurrentValue_isNotLinearizable() {
    assertThat(verdict(write("a", null, 0, 10), cas("a", "c", false, 20, 30)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void casChain_withReads_isLinearizable() {
    assertThat(
            verdict(
                write("a", null, 0, 10),
                cas("a", "b", true, 20, 30),
                cas("a", "c", false, 40, 50),
                read("b", 60, 70),
                cas("b", "d", true, 65, 90),
                read("d", 95, 100)))
        .isEqualTo(LINEARIZABLE);
  }

  @Test
  void writeReportingWrongReplacedValue_isNotLinearizable() {
    assertThat(verdict(write("a", null, 0, 10), write("b", null, 20, 30)))
        .isEqualTo(NOT_LINEARIZABLE);
    assertThat(verdict(write("a", null, 0, 10), write("b", "a", 20, 30))).isEqualTo(LINEARIZABLE);
  }

  @Test
  void touchingIntervals_countAsConcurrent() {
    // The read is invoked at the instant the write returns: it may still be placed before it.
    assertThat(verdict(write("a", null, 0, 10), read(null, 10, 20))).isEqualTo(LINEARIZABLE);
    assertThat(verdict(write("a", null, 0, 10), read(null, 11, 20))).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void unknownWrite_observedLater_isLinearizable() {
    assertThat(verdict(unknownWrite("a", 0, 5), read("a", 50, 60))).isEqualTo(LINEARIZABLE);
  }

  @Test
  void unknownWrite_neverObserved_isLinearizable() {
    assertThat(verdict(unknownWrite("a", 0, 5), read(null, 50, 60))).isEqualTo(LINEARIZABLE);
  }

  @Test
  void unknownWrite_cannotTakeEffectBeforeItsInvocation() {
    assertThat(verdict(read("a", 0, 10), unknownWrite("a", 20, 25))).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void unknownWrite_observedThenUnobserved_isNotLinearizable() {
    assertThat(verdict(unknownWrite("a", 0, 5), read("a", 10, 20), read(null, 30, 40)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void unknownCas_mayExplainAValue() {
    Op pending = Op.cas(ids++, 9, K, "a", "b", Outcome.UNKNOWN, false, 15, 16);
    assertThat(verdict(write("a", null, 0, 10), pending, read("b", 50, 60)))
        .isEqualTo(LINEARIZABLE);
    Op pendingWrongExpectation = Op.cas(ids++, 9, K, "x", "c", Outcome.UNKNOWN, false, 15, 16);
    assertThat(verdict(write("a", null, 0, 10), pendingWrongExpectation, read("c", 50, 60)))
        .isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void failedWrite_whoseValueIsRead_isNotLinearizable() {
    Op failed = Op.write(ids++, 1, K, "a", Outcome.FAIL, null, 0, 10);
    assertThat(verdict(failed, read("a", 20, 30))).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void failedAndUnansweredReads_constrainNothing() {
    Op failedRead =
        new Op(ids++, 1, K, OpType.READ, null, null, Outcome.FAIL, "zzz", null, 0, 10, "timeout");
    assertThat(verdict(write("a", null, 0, 10), failedRead)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void deletes_followTheRegisterSemantics() {
    Op deleted = Op.delete(ids++, 1, K, Outcome.OK, true, 20, 30);
    assertThat(verdict(write("a", null, 0, 10), deleted, read(null, 40, 50)))
        .isEqualTo(LINEARIZABLE);
    Op deleteFoundNothing = Op.delete(ids++, 1, K, Outcome.OK, false, 20, 30);
    assertThat(verdict(write("b", null, 0, 10), deleteFoundNothing)).isEqualTo(NOT_LINEARIZABLE);
  }

  @Test
  void emptyHistory_isLinearizable() {
    assertThat(verdict()).isEqualTo(LINEARIZABLE);
  }

  @Test
  void singleClient_sequentialHistory_isLinearizable() {
    List<Op> ops = new ArrayList<>();
    String previous = null;
    for (int i = 0; i < 500; i++) {
      String v = "v" + i;
      ops.add(write(v, previous, 10L * i, 10L * i + 4));
      ops.add(read(v, 10L * i + 5, 10L * i + 9));
      previous = v;
    }
    assertThat(verdict(new RegisterModel(), ops)).isEqualTo(LINEARIZABLE);
  }

  @Test
  void linearizableResult_givesAValidOrder() {
    List<Op> ops =
        List.of(write("x", null, 0, 100), read("x", 25, 75), read(null, 30, 60), read("x", 80, 90));
    LinearizabilityChecker.Result r =
        LinearizabilityChecker.check(new RegisterModel(), ops, Duration.ofSeconds(5));
    assertThat(r.verdict()).isEqualTo(LINEARIZABLE);
    assertThat(r.linearization()).hasSize(4);
    assertThat(r.linearization().get(0).result()).isNull(); // the read of the initial value
  }

  @Test
  void notLinearizableResult_namesTheOperationThatCouldNotBePlaced() {
    Op stale = read("a", 40, 50);
    LinearizabilityChecker.Result r =
        LinearizabilityChecker.check(
            new RegisterModel(),
            List.of(write("a", null, 0, 10), write("b", "a", 20, 30), stale),
            Duration.ofSeconds(5));
    assertThat(r.verdict()).isEqualTo(NOT_LINEARIZABLE);
    assertThat(r.stuckAt()).isEqualTo(stale);
    assertThat(r.linearization()).hasSize(2);
  }

  @Test
  void searchThatRunsOutOfTime_isUnknown_neverLinearizable() {
    // 24 concurrent unknown writes and a read of a value nobody wrote: proving that takes every
    // subset of the writes, far more than the budget allows.
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      ops.add(unknownWrite("w" + i, i, 1000 + i));
    }
    ops.add(read("nobody", 2000, 2010));
    LinearizabilityChecker.Result r =
        LinearizabilityChecker.check(new RegisterModel(), ops, Duration.ofMillis(50));
    assertThat(r.verdict()).isEqualTo(UNKNOWN);
  }
}
