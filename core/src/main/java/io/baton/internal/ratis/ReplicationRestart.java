package io.baton.internal.ratis;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.server.raftlog.RaftLogIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Why this class exists. Ratis 3.3.0's leader can keep a follower from ever catching up while it
 * answers every heartbeat. The leader's record of the follower (FollowerInfo) holds a match index,
 * the last entry it believes the follower has, which only ever grows. After a follower restarts,
 * its log can end below that belief (seen after kill -9 rounds on FAST timers: the leader believed
 * 7657, the follower's log ended at 7647). The follower then answers each AppendEntries with
 * INCONSISTENCY and "send from 7648", but GrpcLogAppender takes that hint only when the reply is
 * paired with the request it answers. Replies that arrive after the appender cleared its pending
 * requests (every INCONSISTENCY and every stream reset clears them) are unpaired, and for those
 * LogAppenderBase.getNextIndexForInconsistency raises the next index back to match + 1 (7658); a
 * stream error with no request keeps the next index as it is ("keep nextIndex unchanged and
 * retry"). With entries in flight the unpaired replies win, and the loop can last indefinitely.
 *
 * The repair puts the leader's record back to what it can prove: entries up to the follower's
 * commit index (FollowerInfo.getCommitIndex, reported by the follower and committed, so present in
 * the leader's log) match. It lowers the match index to min(match, follower commit) and sets the
 * next index one above it (if the follower has reported no commit index to this leader, the match
 * index becomes "none", as for a follower the leader has just met, and the next index stays). The next AppendEntries starts there; the follower accepts it or answers
 * INCONSISTENCY with its own next index, which Ratis now honours because match + 1 no longer lies
 * above it. Lowering a match index is safe: it only makes the leader's commit rule more cautious
 * until the follower's next successful reply raises it again.
 *
 * Reaching the follower's record and lowering its match index need Ratis internals (nothing public
 * lowers a match index; FollowerInfo.setSnapshotIndex would, but also fakes a snapshot the appender
 * then trusts). The path: RaftServerImpl.getRole() -> RoleInfo.getLeaderState() ->
 * LeaderStateImpl.getLogAppender(RaftPeerId), all package-private, then the public
 * LogAppender.getFollower(); and FollowerInfoImpl's private field matchIndex, a public
 * RaftLogIndex. Restarting the appender through the public LeaderState.restart was rejected: it
 * builds a fresh record that counts as bootstrapping and makes the leader ship a whole snapshot.
 * If an upgrade moves any of these, supported() is false, a warning is logged once, stuck
 * followers are still detected and shown but not repaired, and ReplicationRestartTest fails.
 */
/** Restarts a leader's replication to one follower from the last entry known to match. Not API. */
final class ReplicationRestart {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationRestart.class);
  private static final Optional<Access> ACCESS = Access.find();

  private ReplicationRestart() {}

  /** Whether this Ratis version has the internals the repair uses. */
  static boolean supported() {
    return ACCESS.isPresent();
  }

  /**
   * On the leader {@code division}, lowers its record of {@code followerId} to the last entry known
   * to match and resends from the entry after it. Returns that entry's index, or empty if the
   * division is not a leader, has no such follower, or this Ratis version is unsupported.
   */
  static OptionalLong restart(RaftServer.Division division, String followerId) {
    if (ACCESS.isEmpty()) {
      return OptionalLong.empty();
    }
    // Under the division's lock, as Ratis changes roles: the leader state cannot stop meanwhile.
    synchronized (division) {
      if (!division.getInfo().isLeader()) {
        return OptionalLong.empty();
      }
      Optional<FollowerInfo> follower = ACCESS.get().follower(division, followerId);
      if (follower.isEmpty()) {
        return OptionalLong.empty();
      }
      FollowerInfo f = follower.get();
      long match = Math.min(f.getMatchIndex(), f.getCommitIndex());
      if (!ACCESS.get().setMatchIndex(f, match)) {
        return OptionalLong.empty();
      }
      if (match < 0) {
        // Nothing is known to match (the follower has not yet succeeded with this leader). With no
        // match index to clamp to, Ratis follows the follower's own hint from its next reply.
        return OptionalLong.of(f.getNextIndex());
      }
      f.setNextIndex(match + 1);
      return OptionalLong.of(match + 1);
    }
  }

  /** The leader's record of {@code followerId}, for tests: empty unless leader and supported. */
  static Optional<FollowerInfo> follower(RaftServer.Division division, String followerId) {
    return ACCESS.flatMap(a -> a.follower(division, followerId));
  }

  /** Sets a follower record's match index, for tests that make the leader's belief wrong. */
  static boolean setMatchIndex(FollowerInfo f, long index) {
    return ACCESS.map(a -> a.setMatchIndex(f, index)).orElse(false);
  }

  /** The reflective handles, found once. */
  private record Access(Method getRole, Method getLeaderState, Method getLogAppender, Field match) {
    static Optional<Access> find() {
      try {
        Class<?> server = Class.forName("org.apache.ratis.server.impl.RaftServerImpl");
        Class<?> role = Class.forName("org.apache.ratis.server.impl.RoleInfo");
        Class<?> leader = Class.forName("org.apache.ratis.server.impl.LeaderStateImpl");
        Class<?> follower = Class.forName("org.apache.ratis.server.impl.FollowerInfoImpl");
        Method getRole = server.getDeclaredMethod("getRole");
        Method getLeaderState = role.getDeclaredMethod("getLeaderState");
        Method getLogAppender = leader.getDeclaredMethod("getLogAppender", RaftPeerId.class);
        Field match = follower.getDeclaredField("matchIndex");
        if (!RaftLogIndex.class.isAssignableFrom(match.getType())
            || !Optional.class.isAssignableFrom(getLeaderState.getReturnType())
            || !Optional.class.isAssignableFrom(getLogAppender.getReturnType())) {
          throw new NoSuchMethodException("unexpected types");
        }
        getRole.setAccessible(true);
        getLeaderState.setAccessible(true);
        getLogAppender.setAccessible(true);
        match.setAccessible(true);
        return Optional.of(new Access(getRole, getLeaderState, getLogAppender, match));
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.warn(
            "This Ratis version lacks the internals Baton uses to restart replication to a stuck"
                + " follower ({}): stuck followers are reported but not repaired",
            e.toString());
        return Optional.empty();
      }
    }

    Optional<FollowerInfo> follower(RaftServer.Division division, String followerId) {
      try {
        Object role = getRole.invoke(division);
        Optional<?> leaderState = (Optional<?>) getLeaderState.invoke(role);
        if (leaderState.isEmpty()) {
          return Optional.empty();
        }
        Optional<?> appender =
            (Optional<?>) getLogAppender.invoke(leaderState.get(), RaftPeerId.valueOf(followerId));
        return appender.map(a -> ((LogAppender) a).getFollower());
      } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
        LOG.warn("Cannot read the leader's record of follower {}: {}", followerId, e.toString());
        return Optional.empty();
      }
    }

    boolean setMatchIndex(FollowerInfo f, long index) {
      try {
        if (!(match.get(f) instanceof RaftLogIndex i)) {
          return false;
        }
        i.setUnconditionally(index, m -> {});
        return true;
      } catch (IllegalAccessException | RuntimeException e) {
        LOG.warn("Cannot reset the match index of {}: {}", f.getName(), e.toString());
        return false;
      }
    }
  }
}
