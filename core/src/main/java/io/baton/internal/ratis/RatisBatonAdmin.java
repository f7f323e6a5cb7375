package io.baton.internal.ratis;

import io.baton.BatonAdmin;
import io.baton.ClusterStatus;
import io.baton.Peer;
import io.baton.VerifyResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/*
 * How the admin works.
 *
 * It reads the cluster by probing every node (ClusterProbe) and acts on what it read: membership
 * changes (MembershipChanges), leadership moves and operator settings (LeadershipMoves), and the
 * replica check (ReplicaVerifier), all writing through the leader (ClusterChanges). Every action is
 * recorded in the replicated log when asked and when done (AdminAuditLog); reading the status is
 * not an action and is not recorded.
 */
/** A {@link BatonAdmin} over Ratis clients. Not API. */
public final class RatisBatonAdmin implements BatonAdmin {
  private final List<Peer> seeds;
  private final String clusterName;
  private final ClusterProbe probe;
  private final AdminAuditLog audit;
  private final MembershipChanges membership;
  private final LeadershipMoves leadership;
  private final ReplicaVerifier verifier;

  public RatisBatonAdmin(
      List<Peer> seeds,
      String clusterName,
      Duration operationTimeout,
      String actor,
      Consumer<String> progress) {
    this.seeds = List.copyOf(seeds);
    this.clusterName = clusterName;
    this.probe = new ClusterProbe(seeds, clusterName, operationTimeout);
    ClusterChanges changes = new ClusterChanges(probe);
    this.audit = new AdminAuditLog(probe, changes, actor, progress);
    this.leadership = new LeadershipMoves(probe, changes, progress);
    this.membership = new MembershipChanges(probe, changes, leadership, progress);
    this.verifier = new ReplicaVerifier(probe, progress);
  }

  @Override
  public ClusterStatus status() {
    return probe.status();
  }

  @Override
  public void addNode(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    audit.run("add voter " + peer, () -> membership.join(peer, true, Optional.empty()));
  }

  @Override
  public void addListener(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    audit.run("add listener " + peer, () -> membership.join(peer, false, Optional.empty()));
  }

  @Override
  public void replaceNode(String oldId, Peer replacement) {
    Objects.requireNonNull(oldId, "oldId");
    Objects.requireNonNull(replacement, "replacement");
    audit.run(
        "replace " + oldId + " by " + replacement,
        () -> membership.join(replacement, true, Optional.of(oldId)));
  }

  @Override
  public void promote(String id) {
    Objects.requireNonNull(id, "id");
    audit.run("promote " + id, () -> membership.promote(id));
  }

  @Override
  public void demote(String id) {
    Objects.requireNonNull(id, "id");
    audit.run("demote " + id, () -> membership.demote(id));
  }

  @Override
  public void removeNode(String id) {
    removeNodes(List.of(id), false);
  }

  @Override
  public void removeNodes(List<String> ids, boolean force) {
    Objects.requireNonNull(ids, "ids");
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("no node to remove");
    }
    audit.run(
        "remove " + ids + (force ? " (forced)" : ""), () -> membership.removeNodes(ids, force));
  }

  @Override
  public String transferLeadership() {
    return audit.call(
        "transfer leadership to the best candidate",
        () -> leadership.transfer(Optional.empty(), true));
  }

  @Override
  public String transferLeadership(String targetId) {
    Objects.requireNonNull(targetId, "targetId");
    return audit.call(
        "transfer leadership to " + targetId,
        () -> leadership.transfer(Optional.of(targetId), true));
  }

  @Override
  public void drain(String id) {
    Objects.requireNonNull(id, "id");
    audit.run("drain " + id, () -> leadership.drain(id));
  }

  @Override
  public void undrain(String id) {
    Objects.requireNonNull(id, "id");
    audit.run("undrain " + id, () -> leadership.undrain(id));
  }

  @Override
  public void setPriority(String id, int priority) {
    Objects.requireNonNull(id, "id");
    if (priority < 0) {
      throw new IllegalArgumentException("priority must be 0 or more, was " + priority);
    }
    audit.run(
        "set priority of " + id + " to " + priority, () -> leadership.setPriority(id, priority));
  }

  @Override
  public void setAutoFailback(boolean on) {
    audit.run("automatic failback " + (on ? "on" : "off"), () -> leadership.setAutoFailback(on));
  }

  @Override
  public String failback() {
    return audit.call("failback", leadership::failback);
  }

  @Override
  public VerifyResult verify() {
    return audit.call("verify replicas", verifier::verify);
  }

  @Override
  public void close() {
    probe.close();
  }

  @Override
  public String toString() {
    return "BatonAdmin{cluster=" + clusterName + ", seeds=" + seeds + "}";
  }
}
