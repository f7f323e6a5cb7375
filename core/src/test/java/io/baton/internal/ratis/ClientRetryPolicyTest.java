package io.baton.internal.ratis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.ratis.retry.RetryPolicy;
import org.junit.jupiter.api.Test;

/** The client's retry policy never sleeps long between attempts, however long an election lasts. */
class ClientRetryPolicyTest {
  @Test
  void noSleepBetweenAttemptsIsLongerThanAFewMilliseconds() {
    ClientRetryPolicy policy = new ClientRetryPolicy();
    long longestMillis = 0;
    // 10,000 attempts at 5 ms each are far beyond the longest request timeout (60 s).
    for (int attempt = 1; attempt <= 10_000; attempt++) {
      int n = attempt;
      RetryPolicy.Action action = policy.handleAttemptFailure(() -> n);
      assertThat(action.shouldRetry()).isTrue();
      longestMillis =
          Math.max(
              longestMillis,
              action.getSleepTime().toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
    }
    assertThat(longestMillis).isLessThanOrEqualTo(ClientRetryPolicy.LONGEST_SLEEP.toMillis());
    assertThat(ClientRetryPolicy.LONGEST_SLEEP).isLessThanOrEqualTo(Duration.ofMillis(5));
  }

  @Test
  void firstAttemptsSleepLess() {
    ClientRetryPolicy policy = new ClientRetryPolicy();
    assertThat(
            policy
                .handleAttemptFailure(() -> 1)
                .getSleepTime()
                .toLong(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isEqualTo(2);
  }
}
