package io.baton.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class AwaitTest {
  /** A ticker that only moves when the test moves it. */
  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void deadline_expiresExactlyAtItsEnd() {
    Deadline d = Deadline.after(Duration.ofMillis(5), now::get);
    assertThat(d.expired()).isFalse();
    assertThat(d.remainingMillis()).isEqualTo(5);
    now.addAndGet(4_999_999);
    assertThat(d.expired()).isFalse();
    assertThat(d.remainingMillis()).isEqualTo(1);
    now.addAndGet(1);
    assertThat(d.expired()).isTrue();
    assertThat(d.remaining()).isEqualTo(Duration.ZERO);
    assertThat(d.remainingMillis()).isZero();
  }

  @Test
  void deadline_hugeTimeout_saturatesInsteadOfOverflowing() {
    Deadline d = Deadline.after(Duration.ofSeconds(Long.MAX_VALUE), now::get);
    assertThat(d.expired()).isFalse();
    assertThat(d.remaining()).isGreaterThan(Duration.ofDays(365 * 100));
  }

  @Test
  void deadline_negativeTimeout_isRefused() {
    assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout (PT-0.001S) must not be negative");
  }

  @Test
  void capped_takesTheEarlierDeadline() {
    Deadline d = Deadline.after(Duration.ofSeconds(10), now::get);
    assertThat(d.capped(Duration.ofSeconds(1)).remaining()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.capped(Duration.ofSeconds(60)).remaining()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void pause_onExpiredDeadline_returnsFalseAtOnce() {
    Deadline d = Deadline.after(Duration.ZERO, now::get);
    assertThat(d.pause(Duration.ofHours(1))).isFalse();
  }

  @Test
  void pause_whenInterrupted_stopsAndKeepsTheFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThat(Deadline.after(Duration.ofSeconds(30)).pause(Duration.ofSeconds(10))).isFalse();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void until_returnsTrueOnceTheConditionHolds() {
    AtomicInteger calls = new AtomicInteger();
    boolean ok =
        Await.until(
            Duration.ofSeconds(10), Duration.ofMillis(1), () -> calls.incrementAndGet() == 3);
    assertThat(ok).isTrue();
    assertThat(calls).hasValue(3);
  }

  @Test
  void until_expiredDeadline_stillEvaluatesOnce() {
    AtomicInteger calls = new AtomicInteger();
    Deadline expired = Deadline.after(Duration.ZERO, now::get);
    assertThat(Await.until(expired, Duration.ofMillis(1), () -> calls.incrementAndGet() > 5))
        .isFalse();
    assertThat(calls).hasValue(1);
  }

  @Test
  void until_conditionNeverHolds_returnsFalseAfterTheDeadline() {
    long start = System.nanoTime();
    assertThat(Await.until(Duration.ofMillis(50), Duration.ofMillis(5), () -> false)).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
  }

  @Test
  void poll_returnsTheFirstPresentValue() {
    AtomicInteger calls = new AtomicInteger();
    Optional<String> got =
        Await.poll(
            Deadline.after(Duration.ofSeconds(10)),
            Duration.ofMillis(1),
            () -> calls.incrementAndGet() < 4 ? Optional.empty() : Optional.of("v" + calls.get()));
    assertThat(got).contains("v4");
  }

  @Test
  void poll_neverPresent_isEmpty() {
    Optional<Object> got =
        Await.poll(Deadline.after(Duration.ZERO, now::get), Duration.ofMillis(1), Optional::empty);
    assertThat(got).isEmpty();
  }
}
