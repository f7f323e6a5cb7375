package io.baton;

import static io.baton.internal.Preconditions.checkArgument;

/**
 * When a node snapshots its state and how many snapshots it keeps.
 *
 * <p>A snapshot is a RocksDB checkpoint (hard links to the store's immutable files), so taking one
 * pauses applies for milliseconds whatever the state size. After a snapshot the Raft log is purged
 * up to it: snapshots bound the disk used by the log and the time a restarted node spends
 * replaying. A follower that fell behind the purged log receives the snapshot from the leader.
 *
 * @param everyEntries take a snapshot after this many log entries were applied since the last one
 *     (≥ 1); lower means a shorter log and more frequent checkpoints
 * @param retained how many snapshots to keep on disk (≥ 1); the newest is always kept
 * @since 0.1
 */
public record SnapshotPolicy(long everyEntries, int retained) {
  /** A snapshot every 100,000 entries, keeping two. */
  public static final SnapshotPolicy DEFAULT = new SnapshotPolicy(100_000, 2);

  public SnapshotPolicy {
    checkArgument(everyEntries >= 1, "everyEntries (%s) must be >= 1", everyEntries);
    checkArgument(retained >= 1, "retained (%s) must be >= 1", retained);
  }

  /** A snapshot after every {@code entries} applied entries, keeping two. */
  public static SnapshotPolicy everyEntries(long entries) {
    return new SnapshotPolicy(entries, 2);
  }
}
