package io.baton;

import io.baton.statemachine.Role;
import java.util.Optional;

/**
 * A snapshot of one node's view of its cluster, taken when {@link BatonNode#status()} was called.
 *
 * @param id this node's id
 * @param role this node's role
 * @param term the current Raft term
 * @param leaderId the leader this node knows of, if any
 * @param commitIndex the highest log index this node knows to be committed
 * @param appliedIndex the highest log index applied to this node's state
 * @param lastSnapshotIndex the log index of this node's newest snapshot, or -1 if none
 * @param snapshotsInstalled how many snapshots this node received from a leader since it started
 * @param snapshotsTaken how many snapshots this node took since it started
 * @since 0.1
 */
public record NodeStatus(
    String id,
    Role role,
    long term,
    Optional<String> leaderId,
    long commitIndex,
    long appliedIndex,
    long lastSnapshotIndex,
    long snapshotsInstalled,
    long snapshotsTaken) {}
