package io.baton.internal.ratis;

import io.baton.FailureDetection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.ratis.proto.RaftProtos.CommitInfoProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * While this node leads, a thread looks at its followers a few times per stuck-after period,
 * through Ratis's public division info: the role info lists each follower with the time since it
 * last answered, and getFollowerMatchIndices() gives their match indexes in the same order (both
 * walk the leader's appenders; the list is read before and after the indexes and the look is
 * skipped if it changed in between), and getCommitInfos() each follower's commit index as it last
 * reported it. What a follower is known to hold is the lower of its match and commit indexes: the
 * match index alone can claim entries the follower lacks, which is the very state that leaves it
 * stuck with an idle leader that believes it is up to date. StuckFollowers decides; this class logs one WARN when a
 * follower becomes stuck and one INFO when it makes progress again, and repairs through
 * ReplicationRestart (see there for the Ratis bug it works around) at the start of an episode and
 * again every stuck-after period while the episode lasts.
 *
 * The stuck-after time defaults to max(5 s, 20 x the election timeout max) and can be set with the
 * system property baton.stuckFollowerAfterMs (read when a node starts); baton.stuckFollowerRepair=false
 * leaves stuck followers reported but unrepaired, for comparison. A follower counts as
 * answering if it replied within three election timeouts: the leader hears from a live follower at
 * every heartbeat, and a follower that was just killed must not count as stuck.
 */
/** Finds a leader's stuck followers, logs them and restarts their replication. Not API. */
final class ReplicationWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicationWatch.class);

  private final String nodeId;
  private final Supplier<Optional<RaftServer.Division>> division;
  private final StuckFollowers detector;
  private final long periodMillis;
  private final Thread thread;
  private final AtomicLong episodes = new AtomicLong();
  private volatile boolean closed;

  ReplicationWatch(
      String nodeId,
      Supplier<Optional<RaftServer.Division>> division,
      Duration stuckAfter,
      Duration answerWithin) {
    this.nodeId = nodeId;
    this.division = division;
    long after = stuckAfter.toMillis();
    this.detector = new StuckFollowers(after, answerWithin.toMillis());
    this.periodMillis = Math.max(20, Math.min(1000, after / 10));
    this.thread = new Thread(this::run, "baton-replication-watch-" + nodeId);
    thread.setDaemon(true);
  }

  /** The watch for node {@code nodeId} with failure detection {@code fd}. */
  static ReplicationWatch forNode(
      String nodeId, Supplier<Optional<RaftServer.Division>> division, FailureDetection fd) {
    return new ReplicationWatch(nodeId, division, stuckAfter(fd), answerWithin(fd));
  }

  /**
   * How recently a follower must have answered to count as answering: three election timeouts, a
   * few heartbeats. A follower that was just killed has answered within the stuck-after time but
   * not within this.
   */
  static Duration answerWithin(FailureDetection fd) {
    return fd.electionTimeoutMax().multipliedBy(3);
  }

  /** The default stuck-after time for {@code fd}, or the system property's if set. */
  static Duration stuckAfter(FailureDetection fd) {
    String property = System.getProperty("baton.stuckFollowerAfterMs");
    if (property != null && !property.isBlank()) {
      return Duration.ofMillis(Long.parseLong(property.trim()));
    }
    Duration twenty = fd.electionTimeoutMax().multipliedBy(20);
    return twenty.compareTo(Duration.ofSeconds(5)) > 0 ? twenty : Duration.ofSeconds(5);
  }

  /**
   * Whether stuck followers are repaired: on unless the system property {@code
   * baton.stuckFollowerRepair} is {@code false}, which leaves them reported only (for comparison).
   */
  static boolean repairEnabled() {
    return !"false".equals(System.getProperty("baton.stuckFollowerRepair"));
  }

  void start() {
    thread.start();
  }

  /** How many stuck episodes this watch has seen start. */
  long episodes() {
    return episodes.get();
  }

  /** The followers stuck now, encoded for the admin's status query. */
  byte[] encodeStuck() {
    StringBuilder b = new StringBuilder();
    for (StuckFollowers.Stuck s : detector.stuck()) {
      b.append(s.id())
          .append(' ')
          .append(s.forMillis())
          .append(' ')
          .append(s.matchIndex())
          .append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes {@link #encodeStuck()}: follower id to (milliseconds stuck, match index). */
  static Map<String, long[]> decodeStuck(byte[] bytes) {
    Map<String, long[]> stuck = new LinkedHashMap<>();
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n", -1)) {
      String[] f = line.trim().split(" ", -1);
      if (f.length == 3) {
        stuck.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    return stuck;
  }

  private void run() {
    while (!closed) {
      try {
        look();
      } catch (RuntimeException e) {
        LOG.debug("Node {} could not look at its followers: {}", nodeId, e.toString());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(periodMillis));
    }
  }

  private void look() {
    Optional<RaftServer.Division> d = division.get();
    if (d.isEmpty() || !d.get().getInfo().isLeader()) {
      detector.reset();
      return;
    }
    RaftServer.Division leader = d.get();
    DivisionInfo info = leader.getInfo();
    List<ServerRpcProto> before = followers(info.getRoleInfoProto());
    long[] match = info.getFollowerMatchIndices();
    List<ServerRpcProto> after = followers(info.getRoleInfoProto());
    if (match == null || match.length != before.size() || !sameIds(before, after)) {
      return; // leadership or the follower list changed during the look; look again later
    }
    Map<String, Long> commits = new HashMap<>();
    for (CommitInfoProto c : leader.getCommitInfos()) {
      commits.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
    }
    List<StuckFollowers.Observation> looks = new ArrayList<>();
    for (int i = 0; i < match.length; i++) {
      ServerRpcProto f = after.get(i);
      // The leader's match index can claim more than the follower holds (see ReplicationRestart);
      // the follower's own commit index, as it last reported it, cannot.
      long holds = Math.min(match[i], commits.getOrDefault(id(f), match[i]));
      looks.add(
          new StuckFollowers.Observation(
              id(f),
              holds,
              Math.min(f.getLastRpcElapsedTimeMs(), before.get(i).getLastRpcElapsedTimeMs())));
    }
    long commit = leader.getRaftLog().getLastCommittedIndex();
    for (StuckFollowers.Event e : detector.observe(System.nanoTime(), commit, looks)) {
      switch (e.kind()) {
        case STUCK -> {
          episodes.incrementAndGet();
          OptionalLong from = repair(leader, e.id());
          LOG.warn(
              "Follower {} made no progress for {} at index {} (leader at {}) although it"
                  + " answers; {}",
              e.id(),
              seconds(e.forMillis()),
              e.matchIndex(),
              commit,
              from.isPresent()
                  ? "restarting its replication from " + from.getAsLong()
                  : repairEnabled()
                      ? "cannot restart its replication on this Ratis version"
                      : "not restarting its replication (baton.stuckFollowerRepair=false)");
        }
        case REPAIR_AGAIN -> {
          OptionalLong from = repair(leader, e.id());
          LOG.debug("Follower {} still stuck; replication restarted from {}", e.id(), from);
        }
        case RECOVERED ->
            LOG.info(
                "Follower {} is replicating again (index {}) after {} without progress",
                e.id(),
                e.matchIndex(),
                seconds(e.forMillis()));
      }
    }
  }

  private static OptionalLong repair(RaftServer.Division leader, String followerId) {
    return repairEnabled() ? ReplicationRestart.restart(leader, followerId) : OptionalLong.empty();
  }

  private static List<ServerRpcProto> followers(RoleInfoProto role) {
    return role.hasLeaderInfo() ? role.getLeaderInfo().getFollowerInfoList() : List.of();
  }

  private static boolean sameIds(List<ServerRpcProto> a, List<ServerRpcProto> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!id(a.get(i)).equals(id(b.get(i)))) {
        return false;
      }
    }
    return true;
  }

  private static String id(ServerRpcProto f) {
    return f.getId().getId().toStringUtf8();
  }

  private static String seconds(long millis) {
    return millis >= 10_000
        ? (millis / 1000) + " s"
        : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(thread);
  }
}
