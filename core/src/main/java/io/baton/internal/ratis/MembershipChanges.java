package io.baton.internal.ratis;

import static io.baton.internal.ratis.ClusterChanges.withEffectivePriorities;
import static io.baton.internal.ratis.ClusterView.FRESH_MILLIS;
import static io.baton.internal.ratis.ClusterView.ids;
import static io.baton.internal.ratis.ClusterView.without;

import io.baton.BatonException;
import io.baton.OperationRefusedException;
import io.baton.Peer;
import io.baton.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftPeer;

/*
 * Ratis stages a new voter (it receives the snapshot and the log outside the quorum) but reports
 * success when the new node is still up to 1000 entries behind, so after adding a node the admin
 * waits for the node itself to report that it applied everything committed when the change
 * returned; a node that does not catch up within the operation timeout is removed again.
 */
/**
 * Changes the cluster's membership for the admin: adds, replaces and removes voters and listeners,
 * promotes listeners and demotes voters, with the quorum checks that keep the cluster available.
 * Not API.
 */
final class MembershipChanges {
  private final ClusterProbe probe;
  private final ClusterChanges changes;
  private final LeadershipMoves leadership;
  private final Consumer<String> progress;

  MembershipChanges(
      ClusterProbe probe,
      ClusterChanges changes,
      LeadershipMoves leadership,
      Consumer<String> progress) {
    this.probe = probe;
    this.changes = changes;
    this.leadership = leadership;
    this.progress = progress;
  }

  /** Adds {@code peer} as a voter or a listener, in place of the voter {@code replacing} if set. */
  void join(Peer peer, boolean voter, Optional<String> replacing) {
    ClusterView v = probe.view();
    NodeProbe leader = v.requireLeader();
    v.requireStable();
    String id = peer.id();
    if (v.member(id).isPresent()) {
      throw new OperationRefusedException(
          id + " is already a " + (v.isVoter(id) ? "voter" : "listener") + " of the cluster");
    }
    Stream.concat(v.voters().stream(), v.listeners().stream())
        .filter(m -> m.getAddress().equals(peer.address()))
        .findFirst()
        .ifPresent(
            m -> {
              throw new OperationRefusedException(
                  peer.address() + " is already the address of member " + m.getId());
            });
    if (replacing.isPresent()) {
      String old = replacing.get();
      if (!v.isVoter(old)) {
        throw new OperationRefusedException(old + " is not a voter; voters: " + ids(v.voters()));
      }
    }
    RaftPeer joiner = RaftConfig.toRaftPeer(peer);
    NodeProbe p = probe.probe(joiner);
    for (int attempt = 1; attempt < 3 && !p.ok(); attempt++) {
      ClusterProbe.pause(Duration.ofMillis(500));
      p = probe.probe(joiner);
    }
    if (!p.ok()) {
      throw new OperationRefusedException(
          "cannot reach "
              + id
              + " at "
              + peer.address()
              + " ("
              + p.error()
              + "): start it first in join mode (baton node --join ...) with cluster '"
              + probe.clusterName()
              + "'");
    }
    if (p.role() == RaftPeerRole.LEADER) {
      throw new OperationRefusedException(
          id
              + " at "
              + peer.address()
              + " leads a cluster of its own: start it with --join (NodeConfig.join) on a fresh"
              + " data directory or a backup of this cluster's node");
    }
    ClusterSettings settings = v.withAllBases().withPriority(id, peer.priority());
    if (replacing.isPresent()) {
      settings = settings.withoutNode(replacing.get());
    }
    changes.writeSettings(v, settings);

    List<RaftPeer> voters = new ArrayList<>();
    List<RaftPeer> listeners = new ArrayList<>(v.listeners());
    for (RaftPeer m : v.voters()) {
      if (replacing.map(m.getId().toString()::equals).orElse(false)) {
        continue;
      }
      voters.add(m);
    }
    (voter ? voters : listeners).add(joiner);
    if (replacing.isPresent()) {
      // The replaced node may be the leader: move leadership away first.
      leadership.moveLeadershipOff(v, replacing.get());
    }
    progress.accept(
        "adding "
            + id
            + " as "
            + (voter ? "voter" : "listener")
            + replacing.map(o -> " in place of " + o).orElse("")
            + "; it receives the latest snapshot and the log before the change commits");
    long before = leader.committed();
    Watcher w = new Watcher(joiner, before);
    try {
      changes.setConfiguration(
          v,
          withEffectivePriorities(voters, settings),
          withEffectivePriorities(listeners, settings));
    } finally {
      w.stop();
    }
    awaitCaughtUp(joiner, voter, v);
  }

  /** Prints a joiner's progress while a blocking change runs. */
  private final class Watcher {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Watcher(RaftPeer node, long target) {
      thread =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    Thread.sleep(1000);
                  } catch (InterruptedException e) {
                    // stop() interrupts: the change it watched is over, and so is this thread.
                    Thread.currentThread().interrupt();
                    return;
                  }
                  if (stop.get()) {
                    return;
                  }
                  NodeProbe p = probe.probe(node);
                  if (p.ok()) {
                    progress.accept(
                        node.getId()
                            + ": applied index "
                            + p.applied()
                            + " (cluster was at "
                            + target
                            + " when it joined)");
                  }
                }
              },
              "baton-admin-progress");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() {
      stop.set(true);
      thread.interrupt();
    }
  }

  /*
   * Ratis commits the new configuration with the joiner up to 1000 entries behind; "added" here
   * means the joiner itself reports the role it was given and an applied index at or past the
   * leader's commit index when the configuration committed.
   */
  private void awaitCaughtUp(RaftPeer node, boolean voter, ClusterView before) {
    String id = node.getId().toString();
    Duration operationTimeout = probe.operationTimeout();
    long target = probe.view().leader().map(NodeProbe::committed).orElse(0L);
    Deadline deadline = Deadline.after(operationTimeout);
    RaftPeerRole expected = voter ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER;
    NodeProbe last = null;
    Deadline nextPrint = Deadline.after(Duration.ZERO);
    while (!deadline.expired()) {
      last = probe.probe(node);
      if (last.ok()
          && last.applied() >= target
          && (last.role() == expected || last.role() == RaftPeerRole.LEADER)
          && last.info().isRaftStorageHealthy()) {
        progress.accept(
            id
                + " is a "
                + (voter ? "voter" : "listener")
                + " and caught up (applied index "
                + last.applied()
                + ")");
        return;
      }
      if (nextPrint.expired()) {
        nextPrint = Deadline.after(Duration.ofSeconds(1));
        progress.accept(
            id
                + ": "
                + (last.ok()
                    ? last.role() + ", applied " + last.applied() + " of " + target
                    : last.error()));
      }
      ClusterProbe.pause(Duration.ofMillis(50));
    }
    String what =
        last == null || !last.ok()
            ? "did not answer (" + (last == null ? "no probe" : last.error()) + ")"
            : "reached applied index " + last.applied() + " of " + target + " as " + last.role();
    progress.accept(id + " " + what + "; undoing the change");
    try {
      ClusterView now = probe.view();
      changes.setConfiguration(now, before.voters(), before.listeners());
    } catch (RuntimeException e) {
      throw new BatonException(
          id
              + " was added but "
              + what
              + " within "
              + operationTimeout
              + ", and removing it again failed ("
              + e.getMessage()
              + "): check status and remove it by hand",
          e);
    }
    throw new BatonException(
        id
            + " "
            + what
            + " within "
            + operationTimeout
            + "; it was removed again and the configuration is as before");
  }

  void promote(String id) {
    ClusterView v = probe.view();
    v.requireLeader();
    v.requireStable();
    if (!v.isListener(id)) {
      throw new OperationRefusedException(
          id + " is not a listener; listeners: " + ids(v.listeners()));
    }
    RaftPeer node = v.member(id).orElseThrow();
    ClusterSettings s = v.withAllBases();
    changes.writeSettings(v, s);
    List<RaftPeer> voters = new ArrayList<>(v.voters());
    voters.add(node);
    List<RaftPeer> listeners = without(v.listeners(), id);
    progress.accept("promoting " + id + " to voter");
    changes.setConfiguration(
        v, withEffectivePriorities(voters, s), withEffectivePriorities(listeners, s));
    awaitCaughtUp(node, true, v);
  }

  void demote(String id) {
    ClusterView v = probe.view();
    v.requireLeader();
    v.requireStable();
    if (!v.isVoter(id)) {
      throw new OperationRefusedException(id + " is not a voter; voters: " + ids(v.voters()));
    }
    List<RaftPeer> voters = without(v.voters(), id);
    checkQuorum(v, voters, List.of(id), false);
    leadership.moveLeadershipOff(v, id);
    ClusterView now = probe.view();
    ClusterSettings s = now.withAllBases();
    changes.writeSettings(now, s);
    List<RaftPeer> listeners = new ArrayList<>(now.listeners());
    listeners.add(now.member(id).orElseThrow());
    progress.accept("demoting " + id + " to listener");
    changes.setConfiguration(
        now,
        withEffectivePriorities(without(now.voters(), id), s),
        withEffectivePriorities(listeners, s));
  }

  void removeNodes(List<String> ids, boolean force) {
    ClusterView v = probe.view();
    v.requireLeader();
    v.requireStable();
    for (String id : ids) {
      if (v.member(id).isEmpty()) {
        throw new OperationRefusedException(
            id + " is not a member; members: " + ids(v.voters()) + " " + ids(v.listeners()));
      }
    }
    List<RaftPeer> voters = new ArrayList<>(v.voters());
    voters.removeIf(p -> ids.contains(p.getId().toString()));
    List<String> removedVoters = ids.stream().filter(v::isVoter).toList();
    checkQuorum(v, voters, removedVoters, force);
    String leaderId = v.leaderId().orElseThrow();
    if (ids.contains(leaderId)) {
      leadership.moveLeadershipOffAll(v, ids);
    }
    ClusterView now = probe.view();
    ClusterSettings s = now.withAllBases();
    for (String id : ids) {
      s = s.withoutNode(id);
    }
    List<RaftPeer> newVoters = new ArrayList<>(now.voters());
    newVoters.removeIf(p -> ids.contains(p.getId().toString()));
    List<RaftPeer> newListeners = new ArrayList<>(now.listeners());
    newListeners.removeIf(p -> ids.contains(p.getId().toString()));
    progress.accept("removing " + ids);
    changes.setConfiguration(
        now, withEffectivePriorities(newVoters, s), withEffectivePriorities(newListeners, s));
    changes.writeSettings(probe.view(), s);
  }

  /*
   * Joint consensus needs a majority of the old and of the new voters. A change is refused unless
   * forced when the reachable voters would not form a majority of the new configuration, or when
   * it removes half or more of the voters at once.
   */
  private static void checkQuorum(
      ClusterView v, List<RaftPeer> newVoters, List<String> removedVoters, boolean force) {
    if (newVoters.isEmpty()) {
      throw new OperationRefusedException(
          "cannot remove every voter: a cluster needs at least one");
    }
    if (force) {
      return;
    }
    int n = v.voters().size();
    if (removedVoters.size() * 2 >= n && removedVoters.size() > 0 && n > 1) {
      throw new OperationRefusedException(
          "removing "
              + removedVoters
              + " would take away "
              + removedVoters.size()
              + " of "
              + n
              + " voters at once, half or more: the remaining voters could not form the old"
              + " configuration's majority if one of them failed during the change. Remove"
              + " fewer nodes per change, or pass --force (force=true)");
    }
    long fresh = FRESH_MILLIS;
    List<String> live =
        newVoters.stream().map(p -> p.getId().toString()).filter(id -> v.live(id, fresh)).toList();
    int majority = newVoters.size() / 2 + 1;
    if (live.size() < majority) {
      throw new OperationRefusedException(
          "after this change the voters would be "
              + ids(newVoters)
              + ", of which only "
              + live
              + " are reachable: the cluster would lose its quorum (it needs "
              + majority
              + " of "
              + newVoters.size()
              + "). Bring the down nodes back or replace them first, or pass --force (force=true)");
    }
  }
}
