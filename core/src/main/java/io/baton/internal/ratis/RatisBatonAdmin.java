package io.baton.internal.ratis;

import io.baton.BatonAdmin;
import io.baton.BatonException;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import io.baton.OperationRefusedException;
import io.baton.Peer;
import io.baton.VerifyResult;
import io.baton.statemachine.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.ReconfigurationInProgressException;
import org.apache.ratis.protocol.exceptions.SetConfigurationException;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.ProtoUtils;
import org.apache.ratis.util.TimeDuration;

/*
 * How the admin works.
 *
 * It reads the cluster by asking every node for its group info (role, term, commit/applied/snapshot
 * indexes, the configuration it holds; the leader adds when it last heard from each follower), over
 * short-lived Ratis clients pointed at one node each, with three-second timeouts, so a dead node shows
 * as DOWN instead of stalling the call.
 *
 * Changes go to the leader through a Ratis client built for the current configuration. Membership
 * changes use Ratis's compare-and-set mode against the configuration just read; Ratis itself
 * refuses a change while another is staging or uncommitted. Ratis stages a new voter (it receives
 * the snapshot and the log outside the quorum) but reports success when the new node is still up
 * to 1000 entries behind, so the admin then waits for the node itself to report that it applied
 * everything committed when the change returned.
 *
 * setConfiguration has no retry cache: a retried request after a lost reply is refused as
 * "changed" or "in progress". The admin client therefore does not time out a change early, and on
 * any failure re-reads the configuration: if it already is the requested one, the change succeeded.
 *
 * Operator settings Raft cannot hold (priorities, drained nodes, automatic failback) are replicated
 * as an internal command; the configuration then gets derived priorities (see ClusterSettings).
 */
/** A {@link BatonAdmin} over Ratis clients. Not API. */
public final class RatisBatonAdmin implements BatonAdmin {
  // Generous: a node JVM under load (or answering its first gRPC call) can take a second or more.
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final List<Peer> seeds;
  private final String clusterName;
  private final RaftGroupId groupId;
  private final Duration operationTimeout;
  private final String actor;
  private final Consumer<String> progress;
  private final AtomicBoolean closed = new AtomicBoolean();

  /*
   * Probes and digest requests block on a node's answer, so they run on the admin's own threads:
   * on the common ForkJoinPool they would take threads that the nodes of this JVM need to answer
   * them (Ratis continues its futures there), and with a pool of 2 the probes of an in-process
   * cluster timed out ("no leader right now").
   */
  private final java.util.concurrent.ExecutorService calls =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "baton-admin-call");
            t.setDaemon(true);
            return t;
          });

  public RatisBatonAdmin(
      List<Peer> seeds,
      String clusterName,
      Duration operationTimeout,
      String actor,
      Consumer<String> progress) {
    this.seeds = List.copyOf(seeds);
    this.clusterName = clusterName;
    this.groupId = RaftConfig.groupId(clusterName);
    this.operationTimeout = operationTimeout;
    this.actor = actor;
    this.progress = progress;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading the cluster

  /** One node's answer to a group-info request, or why it gave none. */
  private record Probe(RaftPeer peer, GroupInfoReply info, String error) {
    boolean ok() {
      return info != null;
    }

    RaftPeerRole role() {
      return info.getRoleInfoProto().getRole();
    }

    long applied() {
      return info.getLogInfoProto().getApplied().getIndex();
    }

    long committed() {
      return info.getLogInfoProto().getCommitted().getIndex();
    }

    long term() {
      RoleInfoProto r = info.getRoleInfoProto();
      return r.hasLeaderInfo()
          ? r.getLeaderInfo().getTerm()
          : info.getLogInfoProto().getLastEntry().getTerm();
    }

    Optional<String> leaderHint() {
      RoleInfoProto r = info.getRoleInfoProto();
      if (r.getRole() == RaftPeerRole.LEADER) {
        return Optional.of(peer.getId().toString());
      }
      if (r.hasFollowerInfo() && r.getFollowerInfo().hasLeaderInfo()) {
        String id = r.getFollowerInfo().getLeaderInfo().getId().getId().toStringUtf8();
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
      }
      return Optional.empty();
    }
  }

  /** The cluster as read at one moment. */
  private record View(
      Optional<Probe> leader,
      List<RaftPeer> voters,
      List<RaftPeer> listeners,
      boolean changing,
      Map<String, Probe> probes,
      ClusterSettings settings) {

    Optional<RaftPeer> member(String id) {
      return Stream.concat(voters.stream(), listeners.stream())
          .filter(p -> p.getId().toString().equals(id))
          .findFirst();
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

    Probe requireLeader() {
      return leader.orElseThrow(
          () ->
              new OperationRefusedException(
                  "the cluster has no leader right now (reachable: "
                      + probes.values().stream()
                          .filter(Probe::ok)
                          .map(p -> p.peer().getId())
                          .toList()
                      + "); it cannot change until a majority of voters is up"));
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
      Probe p = probes.get(id);
      if (p == null || !p.ok()) {
        return false;
      }
      long contact = lastContactMillis(id);
      return contact < 0 || contact <= freshMillis;
    }

    int basePriority(RaftPeer p) {
      return settings.priority(p.getId().toString(), Math.max(0, p.getPriority()));
    }
  }

  private View view() {
    checkOpen();
    Map<String, Probe> probes = new LinkedHashMap<>();
    Map<String, RaftPeer> toProbe = new LinkedHashMap<>();
    seeds.forEach(s -> toProbe.put(s.id(), RaftConfig.toRaftPeer(s)));
    probeAll(toProbe.values(), probes);

    Optional<Probe> leader = findLeader(probes);
    if (leader.isEmpty()) {
      // A follower names the leader; it may not be among the seeds.
      Set<String> hinted = new HashSet<>();
      probes.values().stream()
          .filter(Probe::ok)
          .forEach(p -> p.leaderHint().ifPresent(hinted::add));
      List<RaftPeer> more = new ArrayList<>();
      for (Probe p : probes.values()) {
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
                        .filter(Probe::ok)
                        .filter(p -> p.info().getConf().isPresent())
                        .max(Comparator.comparingLong(Probe::committed))
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
    List<RaftPeer> voters = sorted(ProtoUtils.toRaftPeers(conf.getPeersList()));
    List<RaftPeer> listeners = sorted(ProtoUtils.toRaftPeers(conf.getListenersList()));
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
    return new View(leader, voters, listeners, changing, probes, settings);
  }

  private static List<RaftPeer> sorted(List<RaftPeer> peers) {
    return peers.stream().sorted(Comparator.comparing(p -> p.getId().toString())).toList();
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

  private static Optional<Probe> findLeader(Map<String, Probe> probes) {
    return probes.values().stream()
        .filter(Probe::ok)
        .filter(p -> p.role() == RaftPeerRole.LEADER)
        .max(Comparator.comparingLong(Probe::term));
  }

  private void probeAll(java.util.Collection<RaftPeer> peers, Map<String, Probe> into) {
    List<CompletableFuture<Probe>> futures =
        peers.stream().map(p -> CompletableFuture.supplyAsync(() -> probe(p), calls)).toList();
    for (CompletableFuture<Probe> f : futures) {
      Probe p = f.join();
      into.put(p.peer().getId().toString(), p);
    }
  }

  private Probe probe(RaftPeer peer) {
    try (RaftClient c = singleNodeClient(peer, PROBE_TIMEOUT)) {
      GroupInfoReply info = c.getGroupManagementApi(peer.getId()).info(groupId);
      if (!info.isSuccess()) {
        return new Probe(peer, null, String.valueOf(info.getException()));
      }
      return new Probe(peer, info, null);
    } catch (IOException | RuntimeException e) {
      return new Probe(peer, null, describe(e));
    }
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    if (m != null && m.contains("not found")) {
      return "runs no node of this cluster (group not found)";
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      String tm = String.valueOf(t.getMessage());
      if (tm.contains("UNAVAILABLE") || tm.contains("Connection refused")) {
        return "unreachable";
      }
      if (tm.contains("DEADLINE_EXCEEDED") || t instanceof java.util.concurrent.TimeoutException) {
        return "no answer";
      }
    }
    return e.getClass().getSimpleName() + ": " + m;
  }

  private RaftClient singleNodeClient(RaftPeer peer, Duration timeout) {
    RaftProperties p = RaftConfig.clientProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, RaftConfig.time(timeout));
    return RaftClient.newBuilder()
        .setRaftGroup(RaftGroup.valueOf(groupId, peer))
        .setProperties(p)
        .setRetryPolicy(RetryPolicies.noRetry())
        .build();
  }

  /** A client to the current members that sends to the known leader first. */
  private RaftClient leaderClient(View v) {
    RaftProperties p = RaftConfig.clientProperties();
    // A membership change may stage a node for minutes; the request must not time out and be
    // retried meanwhile (see above).
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
  private ClusterSettings readSettings(Probe leader) {
    try (RaftClient c = singleNodeClient(leader.peer(), Duration.ofSeconds(5))) {
      Message query = Message.valueOf(Envelope.baton(Envelope.Q_SETTINGS, new byte[0]));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      RaftClientReply reply;
      while (true) {
        try {
          reply = c.io().sendReadOnly(query, leader.peer().getId());
          if (reply.isSuccess()
              || !RatisBatonClient.isLeaderUnknown(reply.getException())
              || System.nanoTime() > deadline) {
            break;
          }
        } catch (IOException e) {
          if (!RatisBatonClient.isLeaderUnknown(e) || System.nanoTime() > deadline) {
            throw e;
          }
        }
        sleep(100);
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

  @Override
  public ClusterStatus status() {
    View v = view();
    long leaderCommit = v.leader().map(Probe::committed).orElse(-1L);
    List<MemberStatus> members = new ArrayList<>();
    for (RaftPeer p : Stream.concat(v.voters().stream(), v.listeners().stream()).toList()) {
      String id = p.getId().toString();
      Probe probe = v.probes().get(id);
      boolean up = probe != null && probe.ok();
      long applied = up ? probe.applied() : -1;
      members.add(
          new MemberStatus(
              id,
              p.getAddress(),
              v.isVoter(id),
              up ? role(probe.role()) : Role.DOWN,
              v.basePriority(p),
              v.settings().drained().contains(id),
              up ? probe.term() : -1,
              up ? probe.committed() : -1,
              applied,
              up && probe.info().getLogInfoProto().hasLastSnapshot()
                  ? probe.info().getLogInfoProto().getLastSnapshot().getIndex()
                  : -1,
              up && leaderCommit >= 0 ? Math.max(0, leaderCommit - applied) : -1,
              v.lastContactMillis(id)));
    }
    long term =
        v.leader()
            .map(Probe::term)
            .orElse(
                v.probes().values().stream()
                    .filter(Probe::ok)
                    .mapToLong(Probe::term)
                    .max()
                    .orElse(0));
    return new ClusterStatus(
        v.leaderId(), term, members, v.changing(), v.settings().autoFailback(), Instant.now());
  }

  private static Role role(RaftPeerRole r) {
    return switch (r) {
      case LEADER -> Role.LEADER;
      case FOLLOWER -> Role.FOLLOWER;
      case CANDIDATE -> Role.CANDIDATE;
      case LISTENER -> Role.LISTENER;
      default -> Role.DOWN;
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Membership

  @Override
  public void addNode(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    audited("add voter " + peer, () -> join(peer, true, Optional.empty()));
  }

  @Override
  public void addListener(Peer peer) {
    Objects.requireNonNull(peer, "peer");
    audited("add listener " + peer, () -> join(peer, false, Optional.empty()));
  }

  @Override
  public void replaceNode(String oldId, Peer replacement) {
    Objects.requireNonNull(oldId, "oldId");
    Objects.requireNonNull(replacement, "replacement");
    audited(
        "replace " + oldId + " by " + replacement,
        () -> join(replacement, true, Optional.of(oldId)));
  }

  private void join(Peer peer, boolean voter, Optional<String> replacing) {
    View v = view();
    Probe leader = v.requireLeader();
    requireStable(v);
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
    Probe p = probe(joiner);
    for (int attempt = 1; attempt < 3 && !p.ok(); attempt++) {
      sleep(500);
      p = probe(joiner);
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
              + clusterName
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
    ClusterSettings settings = withAllBases(v).withPriority(id, peer.priority());
    if (replacing.isPresent()) {
      settings = settings.withoutNode(replacing.get());
    }
    writeSettings(v, settings);

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
      moveLeadershipOff(v, replacing.get());
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
      setConfiguration(
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
                  Probe p = probe(node);
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
  private void awaitCaughtUp(RaftPeer node, boolean voter, View before) {
    String id = node.getId().toString();
    long target = view().leader().map(Probe::committed).orElse(0L);
    long deadline = System.nanoTime() + operationTimeout.toNanos();
    RaftPeerRole expected = voter ? RaftPeerRole.FOLLOWER : RaftPeerRole.LISTENER;
    Probe last = null;
    long lastPrint = 0;
    while (System.nanoTime() < deadline) {
      last = probe(node);
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
      if (System.nanoTime() - lastPrint > 1_000_000_000L) {
        lastPrint = System.nanoTime();
        progress.accept(
            id
                + ": "
                + (last.ok()
                    ? last.role() + ", applied " + last.applied() + " of " + target
                    : last.error()));
      }
      sleep(50);
    }
    String what =
        last == null || !last.ok()
            ? "did not answer (" + (last == null ? "no probe" : last.error()) + ")"
            : "reached applied index " + last.applied() + " of " + target + " as " + last.role();
    progress.accept(id + " " + what + "; undoing the change");
    try {
      View now = view();
      setConfiguration(now, before.voters(), before.listeners());
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

  @Override
  public void promote(String id) {
    Objects.requireNonNull(id, "id");
    audited(
        "promote " + id,
        () -> {
          View v = view();
          v.requireLeader();
          requireStable(v);
          if (!v.isListener(id)) {
            throw new OperationRefusedException(
                id + " is not a listener; listeners: " + ids(v.listeners()));
          }
          RaftPeer node = v.member(id).orElseThrow();
          ClusterSettings s = withAllBases(v);
          writeSettings(v, s);
          List<RaftPeer> voters = new ArrayList<>(v.voters());
          voters.add(node);
          List<RaftPeer> listeners = without(v.listeners(), id);
          progress.accept("promoting " + id + " to voter");
          setConfiguration(
              v, withEffectivePriorities(voters, s), withEffectivePriorities(listeners, s));
          awaitCaughtUp(node, true, v);
        });
  }

  @Override
  public void demote(String id) {
    Objects.requireNonNull(id, "id");
    audited(
        "demote " + id,
        () -> {
          View v = view();
          v.requireLeader();
          requireStable(v);
          if (!v.isVoter(id)) {
            throw new OperationRefusedException(id + " is not a voter; voters: " + ids(v.voters()));
          }
          List<RaftPeer> voters = without(v.voters(), id);
          checkQuorum(v, voters, List.of(id), false);
          moveLeadershipOff(v, id);
          View now = view();
          ClusterSettings s = withAllBases(now);
          writeSettings(now, s);
          List<RaftPeer> listeners = new ArrayList<>(now.listeners());
          listeners.add(now.member(id).orElseThrow());
          progress.accept("demoting " + id + " to listener");
          setConfiguration(
              now,
              withEffectivePriorities(without(now.voters(), id), s),
              withEffectivePriorities(listeners, s));
        });
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
    audited(
        "remove " + ids + (force ? " (forced)" : ""),
        () -> {
          View v = view();
          v.requireLeader();
          requireStable(v);
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
            moveLeadershipOffAll(v, ids);
          }
          View now = view();
          ClusterSettings s = withAllBases(now);
          for (String id : ids) {
            s = s.withoutNode(id);
          }
          List<RaftPeer> newVoters = new ArrayList<>(now.voters());
          newVoters.removeIf(p -> ids.contains(p.getId().toString()));
          List<RaftPeer> newListeners = new ArrayList<>(now.listeners());
          newListeners.removeIf(p -> ids.contains(p.getId().toString()));
          progress.accept("removing " + ids);
          setConfiguration(
              now, withEffectivePriorities(newVoters, s), withEffectivePriorities(newListeners, s));
          writeSettings(view(), s);
        });
  }

  /*
   * Joint consensus needs a majority of the old and of the new voters. A change is refused unless
   * forced when the reachable voters would not form a majority of the new configuration, or when
   * it removes half or more of the voters at once.
   */
  private void checkQuorum(
      View v, List<RaftPeer> newVoters, List<String> removedVoters, boolean force) {
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

  /** Reachability is judged generously: every profile's election timeout is below this. */
  private static final long FRESH_MILLIS = 6000;

  // ---------------------------------------------------------------------------------------------
  // Leadership

  @Override
  public String transferLeadership() {
    return audited(
        "transfer leadership to the best candidate", () -> transfer(Optional.empty(), true));
  }

  @Override
  public String transferLeadership(String targetId) {
    Objects.requireNonNull(targetId, "targetId");
    return audited(
        "transfer leadership to " + targetId, () -> transfer(Optional.of(targetId), true));
  }

  private String transfer(Optional<String> requested, boolean enforcePriority) {
    View first = view();
    String target = checkTransfer(first, requested, enforcePriority);
    if (target.equals(first.leaderId().orElseThrow())) {
      progress.accept(target + " already leads");
      return target;
    }
    View v = first;
    Probe leader = v.requireLeader();
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
      try (RaftClient c = leaderClient(v)) {
        RaftClientReply reply =
            c.admin()
                .transferLeadership(
                    RaftPeerId.valueOf(target),
                    leader.peer().getId(),
                    Math.max(3000, operationTimeout.toMillis() / 10));
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
            new BatonException("leadership transfer to " + target + " failed: " + describe(e), e);
      }
      View now = view();
      if (now.leaderId().map(target::equals).orElse(false)) {
        failure = null;
        break;
      }
      progress.accept(
          failure.getMessage() + "; leader now " + now.leaderId().orElse("none") + ", retrying");
      sleep(100);
      v = view();
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
  private String checkTransfer(View v, Optional<String> requested, boolean enforcePriority) {
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
      throw new OperationRefusedException(target + " is not reachable: " + probeError(v, target));
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

  private static String probeError(View v, String id) {
    Probe p = v.probes().get(id);
    return p == null
        ? "not probed"
        : p.ok() ? "the leader has not heard from it recently" : p.error();
  }

  private static int effective(ClusterSettings s, RaftPeer p) {
    return s.effectivePriority(p.getId().toString(), Math.max(0, p.getPriority()));
  }

  /** The most up-to-date reachable, undrained voter of the highest priority, excluding some. */
  private String bestCandidate(View v, Set<String> excluded) {
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

  private void moveLeadershipOff(View v, String id) {
    moveLeadershipOffAll(v, List.of(id));
  }

  private void moveLeadershipOffAll(View v, List<String> ids) {
    if (v.leaderId().map(ids::contains).orElse(false)) {
      String target = bestCandidate(v, new HashSet<>(ids));
      progress.accept(
          v.leaderId().orElseThrow() + " leads; handing leadership to " + target + " first");
      // The priority rule of a transfer does not matter here: the target is the best candidate.
      transferIgnoringPriority(v, target);
    }
  }

  private void transferIgnoringPriority(View v, String target) {
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
      setConfiguration(v, voters, v.listeners());
    }
    transfer(Optional.of(target), false);
  }

  @Override
  public void drain(String id) {
    Objects.requireNonNull(id, "id");
    audited(
        "drain " + id,
        () -> {
          View v = view();
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
          ClusterSettings s = withAllBases(v).withDrained(id, true);
          writeSettings(v, s);
          applyPriorities(view(), s);
          // A drained leader now has the lowest priority, so Ratis yields leadership by itself;
          // make sure it happened.
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (System.nanoTime() < deadline) {
            View now = view();
            if (!now.leaderId().map(id::equals).orElse(false)) {
              progress.accept(id + " is drained; " + now.leaderId().orElse("no node") + " leads");
              return;
            }
            sleep(100);
          }
          View now = view();
          if (now.leaderId().map(id::equals).orElse(false)) {
            transfer(Optional.of(bestCandidate(now, Set.of(id))), false);
          }
          progress.accept(id + " is drained");
        });
  }

  @Override
  public void undrain(String id) {
    Objects.requireNonNull(id, "id");
    audited(
        "undrain " + id,
        () -> {
          View v = view();
          v.requireLeader();
          if (!v.settings().drained().contains(id)) {
            throw new OperationRefusedException(id + " is not drained");
          }
          ClusterSettings s = withAllBases(v).withDrained(id, false);
          writeSettings(v, s);
          applyPriorities(view(), s);
          progress.accept(id + " is no longer drained");
        });
  }

  @Override
  public void setPriority(String id, int priority) {
    Objects.requireNonNull(id, "id");
    if (priority < 0) {
      throw new IllegalArgumentException("priority must be 0 or more, was " + priority);
    }
    audited(
        "set priority of " + id + " to " + priority,
        () -> {
          View v = view();
          v.requireLeader();
          if (v.member(id).isEmpty()) {
            throw new OperationRefusedException(id + " is not a member");
          }
          ClusterSettings s = withAllBases(v).withPriority(id, priority);
          writeSettings(v, s);
          applyPriorities(view(), s);
        });
  }

  @Override
  public void setAutoFailback(boolean on) {
    audited(
        "automatic failback " + (on ? "on" : "off"),
        () -> {
          View v = view();
          v.requireLeader();
          ClusterSettings s = withAllBases(v).withAutoFailback(on);
          writeSettings(v, s);
          applyPriorities(view(), s);
        });
  }

  @Override
  public String failback() {
    return audited(
        "failback",
        () -> {
          View v = view();
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
        });
  }

  // ---------------------------------------------------------------------------------------------
  // Consistency check

  @Override
  public VerifyResult verify() {
    return audited(
        "verify replicas",
        () -> {
          View v = view();
          v.requireLeader();
          long index;
          try (RaftClient c = leaderClient(v)) {
            RaftClientReply reply =
                c.io().send(Message.valueOf(Envelope.baton(Envelope.OP_DIGEST_MARK, new byte[0])));
            if (!reply.isSuccess()) {
              throw new BatonException("cannot append a digest mark: " + reply.getException());
            }
            index = reply.getLogIndex();
          } catch (IOException e) {
            throw new BatonException("cannot append a digest mark: " + describe(e), e);
          }
          progress.accept("digest mark at log index " + index + "; collecting replica digests");
          Map<String, CompletableFuture<String>> pending = new LinkedHashMap<>();
          for (RaftPeer p : Stream.concat(v.voters().stream(), v.listeners().stream()).toList()) {
            pending.put(
                p.getId().toString(),
                CompletableFuture.supplyAsync(() -> digestOf(p, index), calls));
          }
          Map<String, String> digests = new LinkedHashMap<>();
          List<String> unreachable = new ArrayList<>();
          pending.forEach(
              (id, f) -> {
                try {
                  digests.put(id, f.join());
                } catch (RuntimeException e) {
                  progress.accept(id + ": no digest (" + e.getCause() + ")");
                  unreachable.add(id);
                }
              });
          return new VerifyResult(index, digests, unreachable);
        });
  }

  private String digestOf(RaftPeer peer, long index) {
    long deadline = System.nanoTime() + operationTimeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try (RaftClient c = singleNodeClient(peer, operationTimeout)) {
        RaftClientReply reply =
            c.io().sendStaleRead(Message.valueOf(Envelope.digestQuery(index)), index, peer.getId());
        if (reply.isSuccess()) {
          return reply.getMessage().getContent().toString(StandardCharsets.UTF_8);
        }
        last = reply.getException();
        if (last instanceof org.apache.ratis.protocol.exceptions.StateMachineException) {
          break; // the replica answered that it has no digest for the mark
        }
      } catch (IOException | RuntimeException e) {
        last = e;
      }
      sleep(100); // not yet committed on that replica, or unreachable for now
    }
    throw new BatonException(peer.getId() + ": " + (last == null ? "timeout" : describe(last)));
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  private void requireStable(View v) {
    if (v.changing()) {
      throw new OperationRefusedException(
          "another membership change is in progress; wait until status shows it finished");
    }
  }

  private static List<RaftPeer> without(List<RaftPeer> peers, String id) {
    return peers.stream().filter(p -> !p.getId().toString().equals(id)).toList();
  }

  private static List<String> ids(List<RaftPeer> peers) {
    return peers.stream().map(p -> p.getId().toString()).toList();
  }

  /** The settings with an operator priority recorded for every member. */
  private static ClusterSettings withAllBases(View v) {
    ClusterSettings s = v.settings();
    for (RaftPeer p : Stream.concat(v.voters().stream(), v.listeners().stream()).toList()) {
      if (!s.priorities().containsKey(p.getId().toString())) {
        s = s.withPriority(p.getId().toString(), Math.max(0, p.getPriority()));
      }
    }
    return s;
  }

  private static List<RaftPeer> withEffectivePriorities(List<RaftPeer> peers, ClusterSettings s) {
    return peers.stream()
        .map(p -> RaftPeer.newBuilder(p).setPriority(effective(s, p)).build())
        .toList();
  }

  private void applyPriorities(View v, ClusterSettings s) {
    requireStable(v);
    setConfiguration(
        v, withEffectivePriorities(v.voters(), s), withEffectivePriorities(v.listeners(), s));
  }

  private void writeSettings(View v, ClusterSettings s) {
    if (s.equals(v.settings())) {
      return;
    }
    submitInternal(v, Envelope.OP_SETTINGS, s.encode());
  }

  private long submitInternal(View v, byte op, byte[] payload) {
    try (RaftClient c = leaderClient(v)) {
      RaftClientReply reply = c.io().send(Message.valueOf(Envelope.baton(op, payload)));
      if (!reply.isSuccess()) {
        throw new BatonException("cluster did not accept the change: " + reply.getException());
      }
      return reply.getLogIndex();
    } catch (IOException e) {
      throw new BatonException("cannot reach the leader: " + describe(e), e);
    }
  }

  private void setConfiguration(View v, List<RaftPeer> voters, List<RaftPeer> listeners) {
    SetConfigurationRequest.Arguments args =
        SetConfigurationRequest.Arguments.newBuilder()
            .setServersInNewConf(voters)
            .setListenersInNewConf(listeners)
            .setServersInCurrentConf(v.voters())
            .setListenersInCurrentConf(v.listeners())
            .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
            .build();
    Throwable failure;
    try (RaftClient c = leaderClient(v)) {
      RaftClientReply reply = c.admin().setConfiguration(args);
      if (reply.isSuccess()) {
        return;
      }
      failure = reply.getException();
    } catch (IOException e) {
      failure = e;
    }
    // A retried request after a lost reply fails although the change was made: check.
    View now = view();
    if (samePeers(now.voters(), voters)
        && samePeers(now.listeners(), listeners)
        && !now.changing()) {
      return;
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ReconfigurationInProgressException) {
        throw new OperationRefusedException(
            "another membership change is in progress; retry when it has finished");
      }
      if (t instanceof SetConfigurationException
          && String.valueOf(t.getMessage()).contains("different")) {
        throw new OperationRefusedException(
            "the configuration changed while this change was prepared (another admin?);"
                + " check status and retry");
      }
    }
    throw new BatonException("membership change failed: " + describe(failure), failure);
  }

  private static boolean samePeers(List<RaftPeer> a, List<RaftPeer> b) {
    Map<String, Integer> x = new LinkedHashMap<>();
    a.forEach(p -> x.put(p.getId().toString(), p.getPriority()));
    Map<String, Integer> y = new LinkedHashMap<>();
    b.forEach(p -> y.put(p.getId().toString(), p.getPriority()));
    return x.equals(y);
  }

  private interface Action<T> {
    T run();
  }

  private void audited(String what, Runnable action) {
    audited(
        what,
        () -> {
          action.run();
          return null;
        });
  }

  /*
   * Each action is recorded in the log twice, when asked and when done, so the leader's log (and
   * every replica's debug log) shows who did what and when, in order with the commands.
   */
  private <T> T audited(String what, Action<T> action) {
    checkOpen();
    record("requested: " + what);
    try {
      T result = action.run();
      record("done: " + what);
      return result;
    } catch (RuntimeException e) {
      record("failed: " + what + ": " + e.getMessage());
      throw e;
    }
  }

  private void record(String event) {
    String line = "actor=" + actor + " at=" + Instant.now() + " " + event;
    try {
      View v = view();
      if (v.leader().isPresent()) {
        submitInternal(v, Envelope.OP_AUDIT, line.getBytes(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      // An audit record the cluster cannot take must not mask the action's own outcome.
      progress.accept("(audit record not written: " + e.getMessage() + ")");
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BatonException("interrupted", e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("admin is closed");
    }
  }

  @Override
  public void close() {
    closed.set(true);
    calls.shutdown();
  }

  @Override
  public String toString() {
    return "BatonAdmin{cluster=" + clusterName + ", seeds=" + seeds + "}";
  }
}
