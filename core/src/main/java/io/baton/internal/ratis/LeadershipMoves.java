package io.baton.internal.ratis;

import static io.baton.internal.ratis.ClusterView.FRESH_MILLIS;
import static io.baton.internal.ratis.ClusterView.effective;
import static io.baton.internal.ratis.ClusterView.ids;

import io.baton.BatonException;
import io.baton.OperationRefusedException;
import io.baton.internal.Deadline;
import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/*
 * Ratis hands leadership only to a voter of the highest priority, and with automatic failback on it
 * moves leadership back to such a voter by itself. The operator's priorities and drained nodes are
 * replicated settings (ClusterSettings); the configuration carries the priorities derived from
 * them, so draining a node or changing a priority is a settings write followed by a configuration
 * change, and a transfer the operator asks for is refused when failback would undo it at once.
 */
/**
 * Moves leadership for the admin: transfers, draining, priorities, automatic failback and failback
 * on request. Not API.
 */
final class LeadershipMoves {
  private final ClusterProbe probe;
  private final ClusterChanges changes;
  private final Consumer<String> progress;

  LeadershipMoves(ClusterProbe probe, ClusterChanges changes, Consumer<String> progress) {
    this.probe = probe;
    this.changes = changes;
    this.progress = progress;
  }

  /**
   * Transfers leadership to {@code requested}, or to the best candidate; with {@code
   * enforcePriority}, refuses a target that automatic failback would leave at once.
   */
  String transfer(Optional<String> requested, boolean enforcePriority) {
    ClusterView first = probe.view();
    String target = checkTransfer(first, requested, enforcePriority);
    if (target.equals(first.leaderId().orElseThrow())) {
      progress.accept(target + " already leads");
      return target;
    }
    ClusterView v = first;
    NodeProbe leader = v.requireLeader();
    String leaderId = leader.peer().getId().toString();
    progress.accept("transferring leadership from " + leaderId + " to " + target);
    long start = System.nanoTime();
    /*
     * While the old leader stops sending heartbeats for the transfer, another follower's election
     * timeout can run out first and win a later term (seen on loaded machines). Leadership is then
     * neither here nor at the target: ask again from the new leader, a few times.
     */
    BatonException failure = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try (RaftClient c = probe.leaderClient(v)) {
        RaftClientReply reply =
            c.admin()
                .transferLeadership(
                    RaftPeerId.valueOf(target),
                    leader.peer().getId(),
                    Math.max(3000, probe.operationTimeout().toMillis() / 10));
        if (reply.isSuccess()) {
          failure = null;
          break;
        }
        failure =
            new BatonException(
                "leadership transfer to " + target + " failed: " + reply.getException(),
                reply.getException());
      } catch (IOException e) {
        failure =
            new BatonException(
                "leadership transfer to " + target + " failed: " + ClusterProbe.describe(e), e);
      }
      ClusterView now = probe.view();
      if (now.leaderId().map(target::equals).orElse(false)) {
        failure = null;
        break;
      }
      progress.accept(
          failure.getMessage() + "; leader now " + now.leaderId().orElse("none") + ", retrying");
      ClusterProbe.pause(Duration.ofMillis(100));
      v = probe.view();
      leader = v.requireLeader();
    }
    if (failure != null) {
      throw failure;
    }
    progress.accept(
        target + " leads (transfer took " + (System.nanoTime() - start) / 1_000_000 + " ms)");
    return target;
  }

  /** The transfer target, or refuses; the leader itself if it is the target. */
  private String checkTransfer(ClusterView v, Optional<String> requested, boolean enforcePriority) {
    String leaderId = v.requireLeader().peer().getId().toString();
    String target = requested.orElseGet(() -> bestCandidate(v, Set.of(leaderId)));
    if (!v.isVoter(target)) {
      throw new OperationRefusedException(target + " is not a voter; voters: " + ids(v.voters()));
    }
    if (target.equals(leaderId)) {
      return target;
    }
    if (v.settings().drained().contains(target)) {
      throw new OperationRefusedException(target + " is drained; undrain it first");
    }
    if (!v.live(target, FRESH_MILLIS)) {
      throw new OperationRefusedException(target + " is not reachable: " + v.probeError(target));
    }
    RaftPeer targetPeer = v.member(target).orElseThrow();
    int targetEffective = effective(v.settings(), targetPeer);
    Optional<RaftPeer> higher =
        v.voters().stream()
            .filter(p -> effective(v.settings(), p) > targetEffective)
            .max(Comparator.comparingInt(p -> effective(v.settings(), p)));
    if (enforcePriority && higher.isPresent()) {
      throw new OperationRefusedException(
          target
              + " has priority "
              + v.basePriority(targetPeer)
              + " but "
              + higher.get().getId()
              + " has "
              + v.basePriority(higher.get())
              + " and automatic failback is on, so leadership would move back at once. Turn"
              + " automatic failback off, raise "
              + target
              + "'s priority, or drain "
              + higher.get().getId());
    }
    return target;
  }

  /** The most up-to-date reachable, undrained voter of the highest priority, excluding some. */
  private String bestCandidate(ClusterView v, Set<String> excluded) {
    long fresh = FRESH_MILLIS;
    return v.voters().stream()
        .map(p -> p.getId().toString())
        .filter(id -> !excluded.contains(id))
        .filter(id -> !v.settings().drained().contains(id))
        .filter(id -> v.live(id, fresh))
        .max(
            Comparator.<String>comparingInt(
                    id -> effective(v.settings(), v.member(id).orElseThrow()))
                .thenComparingLong(id -> v.probes().get(id).applied()))
        .orElseThrow(
            () ->
                new OperationRefusedException(
                    "no other voter can take over: every other voter is down or drained ("
                        + ids(v.voters())
                        + ", drained "
                        + v.settings().drained()
                        + ")"));
  }

  /** Hands leadership to the best candidate first if {@code id} leads. */
  void moveLeadershipOff(ClusterView v, String id) {
    moveLeadershipOffAll(v, List.of(id));
  }

  /** Hands leadership to the best candidate outside {@code ids} first if one of them leads. */
  void moveLeadershipOffAll(ClusterView v, List<String> ids) {
    if (v.leaderId().map(ids::contains).orElse(false)) {
      String target = bestCandidate(v, new HashSet<>(ids));
      progress.accept(
          v.leaderId().orElseThrow() + " leads; handing leadership to " + target + " first");
      // The priority rule of a transfer does not matter here: the target is the best candidate.
      transferIgnoringPriority(v, target);
    }
  }

  private void transferIgnoringPriority(ClusterView v, String target) {
    ClusterSettings s = v.settings();
    int max = v.voters().stream().mapToInt(p -> effective(s, p)).max().orElse(0);
    RaftPeer t = v.member(target).orElseThrow();
    if (effective(s, t) < max) {
      // Ratis hands leadership only to a voter of the highest priority: lift the target to it for
      // the transfer (the settings keep the operator's priorities; the next change restores them).
      List<RaftPeer> voters =
          v.voters().stream()
              .map(
                  p ->
                      p.getId().toString().equals(target)
                          ? RaftPeer.newBuilder(p).setPriority(max).build()
                          : RaftPeer.newBuilder(p).setPriority(effective(s, p)).build())
              .toList();
      changes.setConfiguration(v, voters, v.listeners());
    }
    transfer(Optional.of(target), false);
  }

  void drain(String id) {
    ClusterView v = probe.view();
    v.requireLeader();
    if (v.member(id).isEmpty()) {
      throw new OperationRefusedException(id + " is not a member");
    }
    if (v.isVoter(id)) {
      boolean otherCanLead =
          v.voters().stream()
              .map(p -> p.getId().toString())
              .anyMatch(o -> !o.equals(id) && !v.settings().drained().contains(o));
      if (!otherCanLead) {
        throw new OperationRefusedException(
            "draining " + id + " would leave no voter that may lead; undrain another first");
      }
    }
    ClusterSettings s = v.withAllBases().withDrained(id, true);
    changes.writeSettings(v, s);
    changes.applyPriorities(probe.view(), s);
    // A drained leader now has the lowest priority, so Ratis yields leadership by itself; make sure
    // it happened.
    Deadline deadline = Deadline.after(Duration.ofSeconds(10));
    while (!deadline.expired()) {
      ClusterView now = probe.view();
      if (!now.leaderId().map(id::equals).orElse(false)) {
        progress.accept(id + " is drained; " + now.leaderId().orElse("no node") + " leads");
        return;
      }
      ClusterProbe.pause(Duration.ofMillis(100));
    }
    ClusterView now = probe.view();
    if (now.leaderId().map(id::equals).orElse(false)) {
      transfer(Optional.of(bestCandidate(now, Set.of(id))), false);
    }
    progress.accept(id + " is drained");
  }

  void undrain(String id) {
    ClusterView v = probe.view();
    v.requireLeader();
    if (!v.settings().drained().contains(id)) {
      throw new OperationRefusedException(id + " is not drained");
    }
    ClusterSettings s = v.withAllBases().withDrained(id, false);
    changes.writeSettings(v, s);
    changes.applyPriorities(probe.view(), s);
    progress.accept(id + " is no longer drained");
  }

  void setPriority(String id, int priority) {
    ClusterView v = probe.view();
    v.requireLeader();
    if (v.member(id).isEmpty()) {
      throw new OperationRefusedException(id + " is not a member");
    }
    ClusterSettings s = v.withAllBases().withPriority(id, priority);
    changes.writeSettings(v, s);
    changes.applyPriorities(probe.view(), s);
  }

  void setAutoFailback(boolean on) {
    ClusterView v = probe.view();
    v.requireLeader();
    ClusterSettings s = v.withAllBases().withAutoFailback(on);
    changes.writeSettings(v, s);
    changes.applyPriorities(probe.view(), s);
  }

  /** Moves leadership to a preferred voter if the leader is not one; returns the leader. */
  String failback() {
    ClusterView v = probe.view();
    String leaderId = v.requireLeader().peer().getId().toString();
    long fresh = FRESH_MILLIS;
    String preferred =
        v.voters().stream()
            .filter(p -> !v.settings().drained().contains(p.getId().toString()))
            .filter(p -> v.live(p.getId().toString(), fresh))
            .max(Comparator.comparingInt(v::basePriority))
            .map(p -> p.getId().toString())
            .orElseThrow(() -> new OperationRefusedException("no reachable undrained voter"));
    int leaderBase = v.basePriority(v.member(leaderId).orElseThrow());
    if (preferred.equals(leaderId)
        || v.basePriority(v.member(preferred).orElseThrow()) <= leaderBase) {
      progress.accept(leaderId + " already is a preferred leader");
      return leaderId;
    }
    transferIgnoringPriority(v, preferred);
    return preferred;
  }
}
