package io.baton.internal.ratis;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/*
 * Ratis's ReadIndex skips the leadership check when the read index is at most the commit index
 * a majority last acknowledged (ReadIndexHeartbeats.addAppendEntriesListener returns at once).
 * A leader that was paused or cut off, and does not know yet that it was deposed, has committed
 * nothing since, so it answers a linearizable read from its old state. The torture harness caught
 * it: the leader SIGSTOPped, a read queued on it, answered stale right after SIGCONT, while a
 * newer write had been acknowledged by the new leader. So a node answering a read as leader
 * must also have heard from a majority of voters (itself included) within the minimum election
 * timeout: a follower refuses votes while it hears from its leader and starts no election before
 * that timeout, so no other leader can have been elected since (one clock, one machine or
 * bounded drift; Raft §6.4, §8). Otherwise the read fails as "leader unknown" and the client
 * retries it. Queries that reach a follower carry a read index the leader confirmed.
 *
 * The time since each follower was last heard from is what Ratis measured on its own clock; the
 * check itself is a function of those durations, so it is tested with chosen ones.
 */
/** The leader lease check: whether a leader may answer a linearizable read now. Not API. */
final class LeaderLease {
  private final long leaseMillis;

  /** A lease of {@code leaseMillis}, the minimum election timeout. */
  LeaderLease(long leaseMillis) {
    this.leaseMillis = leaseMillis;
  }

  /** Why {@code division} must not answer a linearizable read as leader now; empty if it may. */
  Optional<String> refusal(RaftServer.Division division) {
    if (!division.getInfo().isLeader()) {
      return Optional.empty();
    }
    Map<String, Long> heard = new HashMap<>();
    for (ServerRpcProto f :
        division.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList()) {
      heard.put(f.getId().getId().toStringUtf8(), f.getLastRpcElapsedTimeMs());
    }
    return refusal(
        division.getId().toString(),
        division.getRaftConf().getCurrentPeers().stream()
            .map(RaftPeer::getId)
            .map(Object::toString)
            .toList(),
        heard);
  }

  /**
   * Why the leader {@code self} must not answer a linearizable read now; empty if it may.
   *
   * @param voters the voting members, {@code self} included
   * @param heardMillisAgo for each follower, how long ago the leader last heard from it
   */
  Optional<String> refusal(
      String self, Collection<String> voters, Map<String, Long> heardMillisAgo) {
    int fresh = 0;
    for (String v : voters) {
      if (v.equals(self)) {
        fresh++;
      } else {
        Long ago = heardMillisAgo.get(v);
        if (ago != null && ago < leaseMillis) {
          fresh++;
        }
      }
    }
    if (2 * fresh > voters.size()) {
      return Optional.empty();
    }
    return Optional.of(
        "leader "
            + self
            + " has heard from only "
            + fresh
            + " of "
            + voters.size()
            + " voters (itself included) in the last "
            + leaseMillis
            + " ms and may have been deposed; retry");
  }
}
