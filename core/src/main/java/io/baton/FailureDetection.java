package io.baton;

import java.time.Duration;

/**
 * How fast a cluster decides that its leader is gone. A follower that hears nothing from the leader
 * for a random time between {@link #electionTimeoutMin()} and {@link #electionTimeoutMax()} starts
 * an election (Raft §5.2); the leader sends heartbeats every half of the minimum.
 *
 * <p>Shorter timeouts mean faster failover and more risk of needless elections when the network or
 * the JVM stalls (a GC pause longer than the minimum timeout on a follower, or on the leader, can
 * trigger one). Keep the minimum at least ten times the p99 network round trip and above your worst
 * GC pause.
 *
 * @since 0.1
 */
public enum FailureDetection {
  /** 50-100 ms: one rack or one host, small heaps with short GC pauses. */
  FAST(Duration.ofMillis(50), Duration.ofMillis(100)),
  /** 150-300 ms: one data centre; the Raft paper's suggestion. */
  DEFAULT(Duration.ofMillis(150), Duration.ofMillis(300)),
  /** 1-2 s: nodes in different regions, or hosts with long stalls. */
  WAN(Duration.ofSeconds(1), Duration.ofSeconds(2));

  private final Duration electionTimeoutMin;
  private final Duration electionTimeoutMax;

  FailureDetection(Duration electionTimeoutMin, Duration electionTimeoutMax) {
    this.electionTimeoutMin = electionTimeoutMin;
    this.electionTimeoutMax = electionTimeoutMax;
  }

  /** The lower bound of the randomized election timeout. */
  public Duration electionTimeoutMin() {
    return electionTimeoutMin;
  }

  /** The upper bound of the randomized election timeout. */
  public Duration electionTimeoutMax() {
    return electionTimeoutMax;
  }
}
