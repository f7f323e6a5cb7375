package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.Peer;
import io.baton.internal.Deadline;
import io.baton.statemachine.Role;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.ProtoUtils;
import org.apache.ratis.util.TimeDuration;

/*
 * The admin reads the cluster by asking every node for its group info (role, term,
 * commit/applied/snapshot indexes, the configuration it holds; the leader adds when it last heard
 * from each follower), over short-lived Ratis clients pointed at one node each, with three-second
 * timeouts, so a dead node shows as DOWN instead of stalling the call.
 *
 * Probes and digest requests block on a node's answer, so they run on the admin's own threads:
 * on the common ForkJoinPool they would take threads that the nodes of this JVM need to answer
 * them (Ratis continues its futures there), and with a pool of 2 the probes of an in-process
 * cluster timed out ("no leader right now").
 */
/**
 * Reads the cluster for the admin: probes every node, assembles a {@link ClusterView} and a {@link
 * ClusterStatus}, and builds the Ratis clients the other admin parts send through. Not API.
 */
final class ClusterProbe implements AutoCloseable {
  // Generous: a node JVM under load (or answering its first gRPC call) can take a second or more.
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final List<Peer> seeds;
  private final String clusterName;
  private final RaftGroupId groupId;
  private final Duration operationTimeout;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService calls =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "baton-admin-call");
            t.setDaemon(true);
            return t;
          });

  ClusterProbe(List<Peer> seeds, String clusterName, Duration operationTimeout) {
    this.seeds = List.copyOf(seeds);
    this.clusterName = clusterName;
    this.groupId = RaftConfig.groupId(clusterName);
    this.operationTimeout = operationTimeout;
  }

  String clusterName() {
    return clusterName;
  }

  Duration operationTimeout() {
    return operationTimeout;
  }

  /** Runs a blocking call to a node on the admin's own threads. */
  <T> CompletableFuture<T> async(Supplier<T> call) {
    return CompletableFuture.supplyAsync(call, calls);
  }

  /** Reads the cluster now: probes the seeds, the leader they name, then every member. */
  ClusterView view() {
    checkOpen();
    Map<String, NodeProbe> probes = new LinkedHashMap<>();
    Map<String, RaftPeer> toProbe = new LinkedHashMap<>();
    seeds.forEach(s -> toProbe.put(s.id(), RaftConfig.toRaftPeer(s)));
    probeAll(toProbe.values(), probes);

    Optional<NodeProbe> leader = findLeader(probes);
    if (leader.isEmpty()) {
      // A follower names the leader; it may not be among the seeds.
      Set<String> hinted = new HashSet<>();
      probes.values().stream()
          .filter(NodeProbe::ok)
          .forEach(p -> p.leaderHint().ifPresent(hinted::add));
      List<RaftPeer> more = new ArrayList<>();
      for (NodeProbe p : probes.values()) {
        if (!p.ok()) {
          continue;
        }
        for (RaftPeer member : confPeers(p.info())) {
          if (hinted.contains(member.getId().toString())
              && !probes.containsKey(member.getId().toString())) {
            more.add(member);
          }
        }
      }
      probeAll(more, probes);
      leader = findLeader(probes);
    }

    RaftConfigurationProto conf =
        leader
            .flatMap(l -> l.info().getConf())
            .or(
                () ->
                    probes.values().stream()
                        .filter(NodeProbe::ok)
                        .filter(p -> p.info().getConf().isPresent())
                        .max(Comparator.comparingLong(NodeProbe::committed))
                        .flatMap(p -> p.info().getConf()))
            .orElseThrow(
                () ->
                    new BatonException(
                        "no member of cluster '"
                            + clusterName
                            + "' answered; tried "
                            + probes.values().stream()
                                .map(
                                    p ->
                                        p.peer().getId()
                                            + "@"
                                            + p.peer().getAddress()
                                            + " ("
                                            + p.error()
                                            + ")")
                                .toList()));
    List<RaftPeer> voters = ClusterView.sorted(ProtoUtils.toRaftPeers(conf.getPeersList()));
    List<RaftPeer> listeners = ClusterView.sorted(ProtoUtils.toRaftPeers(conf.getListenersList()));
    boolean changing = conf.getOldPeersCount() > 0 || conf.getOldListenersCount() > 0;

    List<RaftPeer> unprobed =
        Stream.concat(voters.stream(), listeners.stream())
            .filter(p -> !probes.containsKey(p.getId().toString()))
            .toList();
    probeAll(unprobed, probes);
    if (leader.isEmpty()) {
      leader = findLeader(probes);
    }
    ClusterSettings settings =
        leader.isPresent() ? readSettings(leader.get()) : ClusterSettings.DEFAULT;
    return new ClusterView(leader, voters, listeners, changing, probes, settings);
  }

  private static List<RaftPeer> confPeers(GroupInfoReply info) {
    return info.getConf()
        .map(
            c ->
                Stream.concat(
                        ProtoUtils.toRaftPeers(c.getPeersList()).stream(),
                        ProtoUtils.toRaftPeers(c.getListenersList()).stream())
                    .toList())
        .orElse(List.of());
  }

  private static Optional<NodeProbe> findLeader(Map<String, NodeProbe> probes) {
    return probes.values().stream()
        .filter(NodeProbe::ok)
        .filter(p -> p.role() == RaftPeerRole.LEADER)
        .max(Comparator.comparingLong(NodeProbe::term));
  }

  private void probeAll(Collection<RaftPeer> peers, Map<String, NodeProbe> into) {
    List<CompletableFuture<NodeProbe>> futures =
        peers.stream().map(p -> async(() -> probe(p))).toList();
    for (CompletableFuture<NodeProbe> f : futures) {
      NodeProbe p = f.join();
      into.put(p.peer().getId().toString(), p);
    }
  }

  /**
   * Asks one node for its group info; a node that does not answer gives a probe with the reason.
   */
  NodeProbe probe(RaftPeer peer) {
    try (RaftClient c = singleNodeClient(peer, PROBE_TIMEOUT)) {
      GroupInfoReply info = c.getGroupManagementApi(peer.getId()).info(groupId);
      if (!info.isSuccess()) {
        return new NodeProbe(peer, null, String.valueOf(info.getException()));
      }
      return new NodeProbe(peer, info, null);
    } catch (IOException | RuntimeException e) {
      return new NodeProbe(peer, null, describe(e));
    }
  }

  /** Says in a few words why a node did not answer, for probes and error messages. */
  static String describe(Throwable e) {
    if (RatisErrors.isGroupNotFound(e)) {
      return "runs no node of this cluster (group not found)";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (RatisErrors.isUnreachable(t)) {
        return "unreachable";
      }
      if (RatisErrors.isNoAnswer(t)) {
        return "no answer";
      }
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /** A client to one node that does not retry, with requests timing out after {@code timeout}. */
  RaftClient singleNodeClient(RaftPeer peer, Duration timeout) {
    RaftProperties p = RaftConfig.clientProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, RaftConfig.time(timeout));
    return RaftClient.newBuilder()
        .setRaftGroup(RaftGroup.valueOf(groupId, peer))
        .setProperties(p)
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
  }

  /** A client to the current members that sends to the known leader first. */
  RaftClient leaderClient(ClusterView v) {
    RaftProperties p = RaftConfig.clientProperties();
    // A membership change may stage a node for minutes; the request must not time out and be
    // retried meanwhile (see MembershipChanges).
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, RaftConfig.time(operationTimeout));
    List<RaftPeer> members = new ArrayList<>(v.voters());
    RaftClient.Builder b =
        RaftClient.newBuilder()
            .setRaftGroup(RaftGroup.valueOf(groupId, members))
            .setProperties(p)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    50, TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)));
    // A leader outside the voters (a removed node still finishing the change that removed it) is
    // not in the client's group: Ratis would fail with a NullPointerException sending to it.
    v.leader()
        .map(l -> l.peer().getId())
        .filter(id -> members.stream().anyMatch(m -> m.getId().equals(id)))
        .ifPresent(b::setLeaderId);
    return b.build();
  }

  /*
   * A leader that was just elected answers reads with "leader unknown" (ReadIndexException) or
   * LeaderNotReadyException until it has committed an entry of its term; the probe that found it
   * can be that early. Such a read has no effect, so it is retried for a few seconds.
   */
  private ClusterSettings readSettings(NodeProbe leader) {
    try (RaftClient c = singleNodeClient(leader.peer(), Duration.ofSeconds(5))) {
      Message query = Message.valueOf(Envelope.baton(Envelope.Q_SETTINGS, new byte[0]));
      Deadline deadline = Deadline.after(Duration.ofSeconds(3));
      RaftClientReply reply;
      while (true) {
        try {
          reply = c.io().sendReadOnly(query, leader.peer().getId());
          if (reply.isSuccess()
              || !RatisErrors.isLeaderUnknown(reply.getException())
              || deadline.expired()) {
            break;
          }
        } catch (IOException e) {
          if (!RatisErrors.isLeaderUnknown(e) || deadline.expired()) {
            throw e;
          }
        }
        pause(Duration.ofMillis(100));
      }
      if (!reply.isSuccess()) {
        throw new BatonException("cannot read cluster settings: " + reply.getException());
      }
      byte[] bytes = reply.getMessage().getContent().toByteArray();
      return bytes.length == 0 ? ClusterSettings.DEFAULT : ClusterSettings.decode(bytes);
    } catch (IOException e) {
      throw new BatonException("cannot read cluster settings from the leader: " + describe(e), e);
    }
  }

  /**
   * The followers the leader finds stuck (ReplicationWatch): id to (milliseconds, index). Status is
   * best effort: a leader that cannot answer (or is too old to know the query) shows none.
   */
  private Map<String, long[]> readStuck(NodeProbe leader) {
    try (RaftClient c = singleNodeClient(leader.peer(), PROBE_TIMEOUT)) {
      RaftClientReply reply =
          c.io()
              .sendReadOnly(
                  Message.valueOf(Envelope.baton(Envelope.Q_STUCK, new byte[0])),
                  leader.peer().getId());
      return reply.isSuccess()
          ? ReplicationWatch.decodeStuck(reply.getMessage().getContent().toByteArray())
          : Map.of();
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /** The status of every member as read now. */
  ClusterStatus status() {
    ClusterView v = view();
    long leaderCommit = v.leader().map(NodeProbe::committed).orElse(-1L);
    Map<String, long[]> stuck = v.leader().map(this::readStuck).orElse(Map.of());
    List<MemberStatus> members = new ArrayList<>();
    for (RaftPeer p : v.members()) {
      String id = p.getId().toString();
      NodeProbe probe = v.probes().get(id);
      boolean up = probe != null && probe.ok();
      long applied = up ? probe.applied() : -1;
      members.add(
          new MemberStatus(
              id,
              p.getAddress(),
              v.isVoter(id),
              up ? RatisBatonNode.role(probe.role()) : Role.DOWN,
              v.basePriority(p),
              v.settings().drained().contains(id),
              up ? probe.term() : -1,
              up ? probe.committed() : -1,
              applied,
              up && probe.info().getLogInfoProto().hasLastSnapshot()
                  ? probe.info().getLogInfoProto().getLastSnapshot().getIndex()
                  : -1,
              up && leaderCommit >= 0 ? Math.max(0, leaderCommit - applied) : -1,
              v.lastContactMillis(id),
              stuck.containsKey(id) ? stuck.get(id)[0] : -1,
              stuck.containsKey(id) ? stuck.get(id)[1] : -1));
    }
    long term =
        v.leader()
            .map(NodeProbe::term)
            .orElse(
                v.probes().values().stream()
                    .filter(NodeProbe::ok)
                    .mapToLong(NodeProbe::term)
                    .max()
                    .orElse(0));
    return new ClusterStatus(
        v.leaderId(), term, members, v.changing(), v.settings().autoFailback(), Instant.now());
  }

  /** Pauses an admin call between attempts; an interrupt ends the call. */
  static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted", e);
    }
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("admin is closed");
    }
  }

  @Override
  public void close() {
    closed.set(true);
    calls.shutdown();
  }
}
