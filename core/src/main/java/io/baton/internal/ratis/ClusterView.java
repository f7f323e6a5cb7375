package io.baton.internal.ratis;

import io.baton.OperationRefusedException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The cluster as the admin read it at one moment: the leader's probe (if any), the configuration's
 * voters and listeners, every node's probe and the replicated settings. Not API.
 */
record ClusterView(
    Optional<NodeProbe> leader,
    List<RaftPeer> voters,
    List<RaftPeer> listeners,
    boolean changing,
    Map<String, NodeProbe> probes,
    ClusterSettings settings) {

  /** Reachability is judged generously: every profile's election timeout is below this. */
  static final long FRESH_MILLIS = 6000;

  Optional<RaftPeer> member(String id) {
    return Stream.concat(voters.stream(), listeners.stream())
        .filter(p -> p.getId().toString().equals(id))
        .findFirst();
  }

  List<RaftPeer> members() {
    return Stream.concat(voters.stream(), listeners.stream()).toList();
  }

  boolean isVoter(String id) {
    return voters.stream().anyMatch(p -> p.getId().toString().equals(id));
  }

  boolean isListener(String id) {
    return listeners.stream().anyMatch(p -> p.getId().toString().equals(id));
  }

  Optional<String> leaderId() {
    return leader.map(p -> p.peer().getId().toString());
  }

  NodeProbe requireLeader() {
    return leader.orElseThrow(
        () ->
            new OperationRefusedException(
                "the cluster has no leader right now (reachable: "
                    + probes.values().stream()
                        .filter(NodeProbe::ok)
                        .map(p -> p.peer().getId())
                        .toList()
                    + "); it cannot change until a majority of voters is up"));
  }

  /** Refuses while another membership change is staging or uncommitted. */
  void requireStable() {
    if (changing) {
      throw new OperationRefusedException(
          "another membership change is in progress; wait until status shows it finished");
    }
  }

  /** Milliseconds since the leader heard from {@code id}; 0 for the leader, -1 if unknown. */
  long lastContactMillis(String id) {
    if (leaderId().map(id::equals).orElse(false)) {
      return 0;
    }
    return leader
        .map(
            l ->
                l.info().getRoleInfoProto().getLeaderInfo().getFollowerInfoList().stream()
                    .filter(f -> f.getId().getId().toStringUtf8().equals(id))
                    .mapToLong(ServerRpcProto::getLastRpcElapsedTimeMs)
                    .findFirst()
                    .orElse(-1))
        .orElse(-1L);
  }

  /** Whether {@code id} answered now and (if there is a leader) the leader hears from it. */
  boolean live(String id, long freshMillis) {
    NodeProbe p = probes.get(id);
    if (p == null || !p.ok()) {
      return false;
    }
    long contact = lastContactMillis(id);
    return contact < 0 || contact <= freshMillis;
  }

  /** Why {@code id} does not count as live. */
  String probeError(String id) {
    NodeProbe p = probes.get(id);
    return p == null
        ? "not probed"
        : p.ok() ? "the leader has not heard from it recently" : p.error();
  }

  int basePriority(RaftPeer p) {
    return settings.priority(p.getId().toString(), Math.max(0, p.getPriority()));
  }

  /** The priority {@code p} gets in the configuration under settings {@code s}. */
  static int effective(ClusterSettings s, RaftPeer p) {
    return s.effectivePriority(p.getId().toString(), Math.max(0, p.getPriority()));
  }

  /** The settings with an operator priority recorded for every member. */
  ClusterSettings withAllBases() {
    ClusterSettings s = settings;
    for (RaftPeer p : members()) {
      if (!s.priorities().containsKey(p.getId().toString())) {
        s = s.withPriority(p.getId().toString(), Math.max(0, p.getPriority()));
      }
    }
    return s;
  }

  static List<RaftPeer> without(List<RaftPeer> peers, String id) {
    return peers.stream().filter(p -> !p.getId().toString().equals(id)).toList();
  }

  static List<String> ids(List<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).toList();
  }

  static List<RaftPeer> sorted(List<RaftPeer> peers) {
    return peers.stream().sorted(Comparator.comparing(p -> p.getId().toString())).toList();
  }
}
