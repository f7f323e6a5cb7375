package io.baton;

import io.baton.statemachine.Role;

/**
 * One member of a cluster as {@link BatonAdmin#status()} saw it.
 *
 * @param id the node's id
 * @param address its host:port
 * @param voter whether it votes (a follower or leader) rather than listens (warm standby)
 * @param role its role as it reports it, or {@link Role#DOWN} if it did not answer
 * @param priority the operator's leader priority: automatic failback prefers the highest
 * @param drained whether it is drained for maintenance (never becomes leader)
 * @param term the Raft term it is in, or -1 if it did not answer
 * @param commitIndex the highest log index it knows committed, or -1 if it did not answer
 * @param appliedIndex the highest log index applied to its state, or -1 if it did not answer
 * @param lastSnapshotIndex the log index of its newest snapshot, or -1 if none or unknown
 * @param lagEntries how many committed entries it has not applied yet, measured against the
 *     leader's commit index, or -1 if unknown
 * @param lastContactMillis milliseconds since the leader last heard from it (0 for the leader), or
 *     -1 if unknown
 * @param stuckForMillis how long the leader has seen this follower answer without taking new
 *     entries while behind, once that exceeds the stuck threshold (the leader then restarts its
 *     replication, docs/operations.md); -1 if it is not stuck or nothing is known
 * @param stuckAtIndex the last entry the leader knows the stuck follower holds, or -1 if it is not
 *     stuck
 * @since 0.1
 */
public record MemberStatus(
    String id,
    String address,
    boolean voter,
    Role role,
    int priority,
    boolean drained,
    long term,
    long commitIndex,
    long appliedIndex,
    long lastSnapshotIndex,
    long lagEntries,
    long lastContactMillis,
    long stuckForMillis,
    long stuckAtIndex) {

  /** Whether the node answered the status request. */
  public boolean reachable() {
    return role != Role.DOWN;
  }

  /** Whether the leader finds this follower stuck: answering, behind, and taking no entries. */
  public boolean stuck() {
    return stuckForMillis >= 0;
  }
}
