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
  LOSS,
  /**
   * Take a node (a follower, or the leader a third of the time) out of the configuration with
   * {@code BatonAdmin.removeNode} for 3-8 s while the workload runs, then stop it, restart it in
   * join mode on its old data (cold standby) or on a wiped directory (it receives a snapshot), and
   * add it back as a voter with {@code BatonAdmin.addNode}. Works on loopback too.
   */
  MEMBERSHIP,
  /**
   * Message latency (30-250 ms plus up to half as much jitter, per message, order kept) on one
   * node's links or on every link for 4-10 s, added by the harness's delay proxy through which peer
   * traffic runs. Needs the namespace network (netem is not available).
   */
  DELAY;

  /** Whether this fault needs the namespace network. */
  boolean needsNetwork() {
    return this == PARTITION || this == LOSS || this == DELAY;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
