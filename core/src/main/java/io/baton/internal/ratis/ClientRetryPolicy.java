package io.baton.internal.ratis;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.retry.RequestTypeDependentRetryPolicy;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto.TypeCase;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.util.TimeDuration;

/*
 * Ratis's default client policy retries forever without sleeping: during an election every client
 * spins on the followers, each of which answers "not leader" at once (a retry storm). Baton's
 * policy retries quickly at first, since a redirect to the new leader is usually one hop away, and
 * then backs off to 50 ms. RequestTypeDependentRetryPolicy ends each request after the client's
 * request timeout, measured from the request's creation, which is what callers configure.
 */
/** The retry policy of Baton clients. Not API. */
final class ClientRetryPolicy implements RetryPolicy {
  private static final TimeDuration FAST = TimeDuration.valueOf(2, TimeUnit.MILLISECONDS);
  private static final TimeDuration MEDIUM = TimeDuration.valueOf(10, TimeUnit.MILLISECONDS);
  private static final TimeDuration SLOW = TimeDuration.valueOf(50, TimeUnit.MILLISECONDS);

  static RetryPolicy withTimeout(Duration requestTimeout) {
    TimeDuration timeout = RaftConfig.time(requestTimeout);
    RequestTypeDependentRetryPolicy.Builder b = RequestTypeDependentRetryPolicy.newBuilder();
    for (TypeCase type :
        new TypeCase[] {TypeCase.WRITE, TypeCase.READ, TypeCase.STALEREAD, TypeCase.WATCH}) {
      b.setRetryPolicy(type, new ClientRetryPolicy()).setTimeout(type, timeout);
    }
    return b.build();
  }

  @Override
  public Action handleAttemptFailure(Event event) {
    int attempt = event.getAttemptCount();
    TimeDuration sleep = attempt < 5 ? FAST : attempt < 30 ? MEDIUM : SLOW;
    return () -> sleep;
  }

  @Override
  public String toString() {
    return "BatonClientRetry(2ms x5, 10ms x25, then 50ms)";
  }
}
