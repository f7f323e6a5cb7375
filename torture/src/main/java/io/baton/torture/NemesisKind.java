package io.baton.torture;

import java.util.Locale;

/** The families of faults the nemesis injects; see {@code docs/reliability.md}. */
public enum NemesisKind {
  /** SIGKILL a node (the leader half the time), restart it on the same data 1-5 s later. */
  KILL,
  /** SIGSTOP a node (the leader half the time) for 2-6 s, then SIGCONT. */
  PAUSE,
  /** Cut nodes apart with iptables: isolate a follower or the leader, split, or bridge. */
  PARTITION,
  /** Random packet loss between nodes (iptables statistic), sometimes with a tbf throttle. */
  LOSS;

  /** Whether this fault needs the namespace network. */
  boolean needsNetwork() {
    return this == PARTITION || this == LOSS;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
