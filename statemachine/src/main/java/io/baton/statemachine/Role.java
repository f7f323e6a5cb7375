package io.baton.statemachine;

/**
 * The role a replica plays in its cluster.
 *
 * @since 0.1
 */
public enum Role {
  /**
   * Accepts commands, replicates them and decides when they are committed. At most one per term.
   */
  LEADER,
  /** A voting member that replicates the leader's log and may become leader. */
  FOLLOWER,
  /** A voting member asking for votes after it stopped hearing from a leader. */
  CANDIDATE,
  /** A non-voting member that receives the log and snapshots (warm standby). */
  LISTENER,
  /** Not serving: stopped, halted after an apply failure, or not yet started. */
  DOWN
}
