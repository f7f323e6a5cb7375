package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.FailureDetection;
import io.baton.internal.Deadline;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * RaftServer.close() does not hand leadership over: the followers would wait an election timeout
 * and then elect. Transferring first (Raft dissertation §3.10) makes a planned stop cost
 * milliseconds of write pause instead.
 *
 * The target must be alive now. A follower stopped a moment ago still looks fresh by its last
 * reply (the demo stops nodes one after another), and a transfer to it holds every write with
 * LeaderSteppingDownException until the transfer times out, then leaves the cluster to an election
 * anyway. So the choice is made only among followers whose last reply came after the decision to
 * hand over: under load they reply every few milliseconds, idle they answer each heartbeat (every
 * half minimum election timeout), so waiting up to one minimum election timeout sees every live
 * follower. A drained follower is never chosen (its elections are paused; Ratis would ignore the
 * transfer). Among the live ones the order is Ratis's: the highest priority (Ratis transfers only
 * to a voter of the highest priority), then the highest match index, which Ratis requires to reach
 * the leader's last index before it starts the target's election, so the best-replicated follower
 * needs the shortest catch-up. Should the target still not take over (it stopped after answering),
 * the next live follower is asked, within an overall bound.
 */
/**
 * Moves this node's leadership to another voter: on request, and before a graceful stop to a live,
 * up-to-date follower. Not API.
 */
final class LeaderHandOver {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderHandOver.class);

  /** A voter that could take over, as the leader sees it. */
  record Candidate(String id, int priority, long matchIndex, long lastReplyMs) {}

  /** The highest priority first, then the most replicated, then the most recently heard. */
  static final Comparator<Candidate> PREFERENCE =
      Comparator.comparingInt(Candidate::priority)
          .thenComparingLong(Candidate::matchIndex)
          .thenComparing(Comparator.comparingLong(Candidate::lastReplyMs).reversed());

  private final String nodeId;
  private final Supplier<Optional<RaftServer.Division>> division;
  private final Supplier<Set<String>> drained;
  private final FailureDetection failureDetection;
  private final RatisTransfer ratis;

  /** One leadership transfer request to this node's Raft server. */
  interface RatisTransfer {
    RaftClientReply request(RaftPeerId target, long timeoutMs) throws IOException;
  }

  LeaderHandOver(
      String nodeId,
      Supplier<Optional<RaftServer.Division>> division,
      Supplier<Set<String>> drained,
      FailureDetection failureDetection,
      RatisTransfer ratis) {
    this.nodeId = nodeId;
    this.division = division;
    this.drained = drained;
    this.failureDetection = failureDetection;
    this.ratis = ratis;
  }

  /** Hands leadership over if this node leads; returns the node that took it, if one did. */
  Optional<String> run() {
    long decidedAt = System.nanoTime();
    long waitForReplyMs = failureDetection.electionTimeoutMin().toMillis();
    Deadline overall = Deadline.after(failureDetection.electionTimeoutMax().multipliedBy(10));
    Duration perTarget = failureDetection.electionTimeoutMax().multipliedBy(3);
    Set<String> tried = new HashSet<>();
    while (true) {
      Optional<RaftServer.Division> d = division.get();
      if (d.isEmpty() || !d.get().getInfo().isLeader()) {
        return Optional.empty();
      }
      List<Candidate> all = candidates(d.get(), tried);
      long sinceDecisionMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - decidedAt);
      Optional<Candidate> target =
          all.stream().filter(c -> c.lastReplyMs() < sinceDecisionMs).max(PREFERENCE);
      if (target.isEmpty()) {
        if (all.isEmpty() || sinceDecisionMs > waitForReplyMs || overall.expired()) {
          if (!all.isEmpty() || !tried.isEmpty()) {
            LOG.info(
                "Node {} stops without handing leadership over: no other voter answered it in the"
                    + " last {} ms; the cluster will elect a new leader after the election timeout",
                nodeId,
                sinceDecisionMs);
          }
          return Optional.empty();
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        continue;
      }
      String id = target.get().id();
      long start = System.nanoTime();
      try {
        transfer(id, shorter(perTarget, overall.remaining()));
        LOG.info(
            "Node {} handed leadership to {} in {} ms before stopping",
            nodeId,
            id,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return Optional.of(id);
      } catch (RuntimeException e) {
        tried.add(id);
        boolean leading = division.get().map(x -> x.getInfo().isLeader()).orElse(false);
        if (!leading) {
          LOG.info("Node {} no longer leads ({}); stopping", nodeId, e.getMessage());
          return Optional.empty();
        }
        if (overall.expired()) {
          LOG.warn(
              "Node {} could not hand leadership to {} before stopping ({}); the cluster will"
                  + " elect a new leader after the election timeout",
              nodeId,
              id,
              e.getMessage());
          return Optional.empty();
        }
        LOG.info(
            "Node {} could not hand leadership to {} ({}); trying another follower",
            nodeId,
            id,
            e.getMessage());
      }
    }
  }

  /**
   * Transfers leadership to voter {@code targetId}, asking again while the target's election lost
   * but this node still leads.
   *
   * @throws BatonException if leadership did not move to the target within {@code timeout}
   */
  void transfer(String targetId, Duration timeout) {
    /*
     * The target's election can lose although it was up to date, for instance when a follower
     * still counted this leader as alive and refused its vote; Ratis then answers DIFFERENT_LEADER
     * with this node still leading (seen about once in 15 transfers under load), sometimes
     * re-elected in a new term and not ready yet (LeaderNotReadyException). Nothing changed, so
     * the transfer is asked again, within the caller's timeout.
     */
    Deadline deadline = Deadline.after(timeout);
    Duration pause = Duration.ofMillis(20);
    for (int attempt = 1; ; attempt++) {
      long left = Math.max(1, deadline.remainingMillis());
      RaftClientReply reply;
      try {
        reply = ratis.request(RaftPeerId.valueOf(targetId), left);
      } catch (IOException e) {
        throw new BatonException("leadership transfer to " + targetId + " failed: " + e, e);
      }
      if (reply.isSuccess()) {
        return;
      }
      boolean stillLeading = division.get().map(x -> x.getInfo().isLeader()).orElse(false);
      boolean retriable = RatisErrors.isTransferRetriable(reply.getException());
      if (attempt >= 10
          || !stillLeading
          || !retriable
          || deadline.remaining().compareTo(pause) <= 0) {
        throw new BatonException(
            "leadership transfer to "
                + targetId
                + " failed"
                + (attempt > 1 ? " (" + attempt + " attempts)" : "")
                + ": "
                + reply.getException(),
            reply.getException());
      }
      LOG.info(
          "Leadership transfer to {} did not happen (attempt {}: {}); asking again",
          targetId,
          attempt,
          reply.getException().getMessage());
      try {
        Thread.sleep(pause.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BatonException("interrupted during leadership transfer to " + targetId, e);
      }
    }
  }

  /** The voters other than this leader that may take over, except {@code excluded}. */
  private List<Candidate> candidates(RaftServer.Division d, Set<String> excluded) {
    List<ServerRpcProto> followers =
        d.getInfo().getRoleInfoProto().getLeaderInfo().getFollowerInfoList();
    long[] matchIndices = d.getInfo().getFollowerMatchIndices();
    // Both lists come from the leader's log appenders, in the same order; if the followers changed
    // between the two reads, match indices are left out (0) for this look.
    Map<String, Long> matchIndex =
        matchIndices == null || matchIndices.length != followers.size()
            ? Map.of()
            : indexById(followers, matchIndices);
    Map<String, Long> lastReply =
        followers.stream()
            .collect(
                Collectors.toMap(
                    f -> f.getId().getId().toStringUtf8(),
                    ServerRpcProto::getLastRpcElapsedTimeMs,
                    (a, b) -> a));
    Set<String> drainedNow = drained.get();
    Function<RaftPeer, Optional<Candidate>> toCandidate =
        p -> {
          String id = p.getId().toString();
          if (excluded.contains(id) || drainedNow.contains(id) || !lastReply.containsKey(id)) {
            return Optional.empty();
          }
          return Optional.of(
              new Candidate(
                  id, p.getPriority(), matchIndex.getOrDefault(id, 0L), lastReply.get(id)));
        };
    RaftPeerId self = d.getId();
    List<Candidate> result = new ArrayList<>();
    for (RaftPeer p : d.getRaftConf().getCurrentPeers()) {
      if (!p.getId().equals(self)) {
        toCandidate.apply(p).ifPresent(result::add);
      }
    }
    return result;
  }

  private static Map<String, Long> indexById(List<ServerRpcProto> followers, long[] indices) {
    Map<String, Long> m = new java.util.HashMap<>();
    for (int i = 0; i < indices.length; i++) {
      m.put(followers.get(i).getId().getId().toStringUtf8(), indices[i]);
    }
    return m;
  }

  private static Duration shorter(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
