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
 * policy sleeps 2 ms for the first five attempts, since a redirect to the new leader is usually one
 * hop away, and then 5 ms, flat. It does not back off further: a retry that sleeps S ms can find a
 * leader that became ready just after it left up to S ms late, and an election lasts 100-300 ms
 * (one or two election timeouts plus the new leader's first commit), so a longer sleep would add
 * latency to every failover while saving little: a retry on loopback or a LAN is one small RPC
 * that a follower answers at once, about 200 per second per waiting request. Ratis itself retries
 * a NotLeaderException that names a leader without sleeping. RequestTypeDependentRetryPolicy ends
 * each request after the client's request timeout, measured from the request's creation, which
 * is what callers configure.
 */
/** The retry policy of Baton clients. Not API. */
final class ClientRetryPolicy implements RetryPolicy {
  private static final TimeDuration FAST = TimeDuration.valueOf(2, TimeUnit.MILLISECONDS);
  private static final TimeDuration STEADY = TimeDuration.valueOf(5, TimeUnit.MILLISECONDS);

  /** The longest sleep between two attempts. */
  static final Duration LONGEST_SLEEP = Duration.ofMillis(5);

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
    TimeDuration sleep = attempt < 6 ? FAST : STEADY;
    return () -> sleep;
  }

  @Override
  public String toString() {
    return "BatonClientRetry(2ms x5, then 5ms)";
  }
}
