package io.baton.internal.ratis;

import io.baton.FailureDetection;
import io.baton.NodeConfig;
import io.baton.Peer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/*
 * The one place where Baton's configuration becomes Ratis properties. Each setting that differs from
 * the Ratis 3.3.0 default says why:
 *
 * - Election timeouts come from the FailureDetection profile (Raft §5.2). Heartbeats follow at half
 *   the minimum.
 * - Reads are LINEARIZABLE (ReadIndex, Raft §6.4): Ratis's DEFAULT answers from the leader's state
 *   without confirming leadership, which can be stale across a failover, and refuses follower reads.
 * - The leader's back-off toward an unreachable follower grows to 5 s by default, so a node that was
 *   down for a while rejoins seconds late. Baton retries every heartbeat interval (half the minimum
 *   election timeout, kept within 25-100 ms) after ten quick tries: a restarted node hears the
 *   leader within about one heartbeat, before its own silence (a restarted node knows no leader)
 *   would let it grant a pre-vote to a follower that merely missed a few heartbeats.
 * - Ratis's own timer waits 3-5 election timeouts (max) before a node's first election after a
 *   start, instead of one: Ratis starts that timer before the node's RPC server listens, so a node
 *   campaigned before anyone could answer it, and while its peers were still starting, which left
 *   several candidates at once and gRPC channels in reconnect back-off. Baton's ElectionTimer starts
 *   the first election one random election timeout after the node listens, and Ratis's timer is the
 *   backstop. Ratis also waits that long for the votes of a first election, which lets a slow,
 *   freshly started peer answer in time. Only when the ElectionTimer runs.
 * - A leader that stepped down for lost majority refuses to campaign for 10 s by default; with one
 *   of three nodes down, a short stall of the other can then leave the group leaderless that long.
 *   Baton uses a few election timeouts.
 * - The log is purged up to the latest snapshot even if a follower still needs older entries: that
 *   follower receives the snapshot instead. Otherwise one dead follower pins the whole log on disk.
 * - Snapshots are triggered automatically from the SnapshotPolicy; the checkpoint makes them cheap.
 *   None is taken when a node stops: the store is durable, so a restart replays only the log since
 *   the last snapshot, skipping what the store holds, and that replay refills the retry cache. After
 *   a stop snapshot the cache would stay empty, and a client retrying a command applied just before
 *   the stop would have it applied a second time.
 * - A log segment is extended with zeros 64 KB at a time, not 4 MB. Every new term starts a new
 *   segment on every node, and the new leader's first entry, which must be committed before it
 *   serves (Raft §8), waited for 4 MB of zeros to be written and flushed on the leader and on a
 *   follower: the largest single part of a planned switchover (docs/design.md, Failover). The
 *   extension still spares the steady write path most file-size updates.
 * - The gRPC message and appender buffer limits grow with maxCommandBytes so that any accepted
 *   command fits in one AppendEntries.
 * - Servers bind to the configured host only (Ratis binds every interface by default), and groups
 *   removed from a node are moved under its data dir, not /tmp.
 */
/** Maps {@link NodeConfig} to Ratis properties and Baton identities to Ratis ids. Not API. */
public final class RaftConfig {
  private RaftConfig() {}

  /** The Raft group id of the cluster named {@code clusterName}: a name-based UUID. */
  public static RaftGroupId groupId(String clusterName) {
    return RaftGroupId.valueOf(
        UUID.nameUUIDFromBytes(("baton-cluster:" + clusterName).getBytes(StandardCharsets.UTF_8)));
  }

  static RaftPeer toRaftPeer(Peer p) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(p.id()))
        .setAddress(p.address())
        .setPriority(p.priority())
        .build();
  }

  static RaftGroup group(String clusterName, List<Peer> peers) {
    return RaftGroup.valueOf(
        groupId(clusterName), peers.stream().map(RaftConfig::toRaftPeer).toList());
  }

  /*
   * A joining node starts as a listener of the members it was given. Ratis documents starting a
   * joiner with an empty group, but such a division stays STARTING until the leader marks it caught
   * up, which it never does for a listener (Ratis notes §5.3): a listener added that way, once
   * promoted, cannot vote. As a startup-role listener the division runs at once, never campaigns,
   * and becomes a follower or stays a listener when the leader's configuration says so.
   */
  static RaftGroup startupGroup(NodeConfig config) {
    if (!config.join()) {
      return group(config.clusterName(), config.peers());
    }
    List<RaftPeer> peers =
        config.peers().stream()
            .map(
                p ->
                    p.id().equals(config.id())
                        ? RaftPeer.newBuilder(toRaftPeer(p))
                            .setStartupRole(RaftPeerRole.LISTENER)
                            .build()
                        : toRaftPeer(p))
            .toList();
    return RaftGroup.valueOf(groupId(config.clusterName()), peers);
  }

  static RaftProperties serverProperties(NodeConfig config, Path raftDir) {
    RaftProperties p = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
    RaftServerConfigKeys.setRemovedGroupsDir(
        p, config.dataDir().resolve("removed-groups").toFile());
    GrpcConfigKeys.Server.setHost(p, config.self().host());
    GrpcConfigKeys.Server.setPort(p, config.self().port());

    FailureDetection fd = config.failureDetection();
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, time(fd.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, time(fd.electionTimeoutMax()));
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, time(stepDownWait(fd)));
    if (ElectionTimer.supported() && ElectionTimer.enabled()) {
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, time(firstElectionMin(fd)));
      RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, time(firstElectionMax(fd)));
    }
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Log.Appender.setRetryPolicy(p, appenderRetryPolicy(fd));

    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(
        p, config.snapshotPolicy().everyEntries());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, config.snapshotPolicy().retained());
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setSegmentSizeMax(
        p, SizeInBytes.valueOf(config.logSegmentSizeBytes()));
    RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(preallocatedBytes()));

    long maxEntry = config.maxCommandBytes() + (64L << 10);
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, appenderBufferBytes(config));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(Math.max(64L << 20, 2 * maxEntry)));
    return p;
  }

  /** The leader's retry schedule toward a follower it cannot reach, in Ratis's notation. */
  static String appenderRetryPolicy(FailureDetection fd) {
    long heartbeatMs = Math.max(25, Math.min(100, fd.electionTimeoutMin().toMillis() / 2));
    return "1ms,10, " + heartbeatMs + "ms,100000";
  }

  /** How long a leader that lost its majority stays out of elections after stepping down. */
  static Duration stepDownWait(FailureDetection fd) {
    return fd.electionTimeoutMax().multipliedBy(3);
  }

  /**
   * How far Ratis extends a log segment with zeros ahead of the writes (Ratis's default is 4 MB);
   * {@code -Dbaton.log.preallocate=<size>} (for example {@code 4MB}) overrides it, for comparing.
   */
  static long preallocatedBytes() {
    String override = System.getProperty("baton.log.preallocate");
    return override == null ? PREALLOCATED_BYTES : SizeInBytes.valueOf(override).getSize();
  }

  /** See the preallocation note at the top of this file. */
  static final long PREALLOCATED_BYTES = 64L << 10;

  /**
   * The shortest wait of Ratis's own timer before this node's first election after a start: longer
   * than Baton's {@link ElectionTimer}, which starts that election once the node listens.
   */
  static Duration firstElectionMin(FailureDetection fd) {
    return fd.electionTimeoutMax().multipliedBy(3);
  }

  /** The longest wait of Ratis's own timer before this node's first election after a start. */
  static Duration firstElectionMax(FailureDetection fd) {
    return fd.electionTimeoutMax().multipliedBy(5);
  }

  /** The appender buffer limit, which Ratis also uses as the largest log entry it reads. */
  static SizeInBytes appenderBufferBytes(NodeConfig config) {
    return SizeInBytes.valueOf(Math.max(4L << 20, config.maxCommandBytes() + (64L << 10)));
  }

  static RaftProperties clientProperties() {
    RaftProperties p = new RaftProperties();
    // One RPC to a dead or paused server should not hold a request for the default 3 s: the retry
    // policy moves on to another server. A slow commit is retried under the same call id, which the
    // servers' retry cache answers without applying the command twice.
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(66L << 20));
    return p;
  }

  static TimeDuration time(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
