package io.baton;

import static io.baton.internal.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The immutable, validated configuration of one {@link BatonNode}. Build it with {@link
 * #newBuilder()}; {@link Builder#build()} fills defaults and then checks the values against each
 * other, so an invalid config never reaches a running node. {@link #toString()} lists every value:
 * log it at start-up.
 *
 * <pre>{@code
 * NodeConfig config = NodeConfig.newBuilder()
 *     .id("n1")
 *     .peers("n1=127.0.0.1:7101,n2=127.0.0.1:7102,n3=127.0.0.1:7103")
 *     .dataDir(Path.of("data/n1"))
 *     .build();
 * }</pre>
 *
 * @since 0.1
 */
public final class NodeConfig {
  private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final String id;
  private final List<Peer> peers;
  private final Path dataDir;
  private final String clusterName;
  private final FailureDetection failureDetection;
  private final SnapshotPolicy snapshotPolicy;
  private final int maxCommandBytes;
  private final long logSegmentSizeBytes;
  private final boolean join;

  private NodeConfig(Builder b) {
    this.id = b.id;
    this.peers = List.copyOf(b.peers);
    this.dataDir = b.dataDir.toAbsolutePath().normalize();
    this.clusterName = b.clusterName;
    this.failureDetection = b.failureDetection;
    this.snapshotPolicy = b.snapshotPolicy;
    this.maxCommandBytes = b.maxCommandBytes;
    this.logSegmentSizeBytes = b.logSegmentSizeBytes;
    this.join = b.join;
  }

  /** A builder with every optional value at its default. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .peers(peers)
        .dataDir(dataDir)
        .clusterName(clusterName)
        .failureDetection(failureDetection)
        .snapshotPolicy(snapshotPolicy)
        .maxCommandBytes(maxCommandBytes)
        .logSegmentSizeBytes(logSegmentSizeBytes)
        .join(join);
  }

  /** This node's id; one of {@link #peers()}. */
  public String id() {
    return id;
  }

  /** The cluster's initial members, this node included. */
  public List<Peer> peers() {
    return peers;
  }

  /** This node's own entry in {@link #peers()}: the address it binds to. */
  public Peer self() {
    return peer(id).orElseThrow();
  }

  /** The peer with {@code peerId}, if it is one of {@link #peers()}. */
  public Optional<Peer> peer(String peerId) {
    return peers.stream().filter(p -> p.id().equals(peerId)).findFirst();
  }

  /** The directory holding this node's Raft log, snapshots and state (absolute). */
  public Path dataDir() {
    return dataDir;
  }

  /** The cluster's name; nodes and clients of one cluster must agree on it. */
  public String clusterName() {
    return clusterName;
  }

  /** The failure-detection profile. */
  public FailureDetection failureDetection() {
    return failureDetection;
  }

  /** When snapshots are taken and how many are kept. */
  public SnapshotPolicy snapshotPolicy() {
    return snapshotPolicy;
  }

  /** The largest command accepted, in bytes. */
  public int maxCommandBytes() {
    return maxCommandBytes;
  }

  /** The size at which a Raft log segment is closed and a new one started. */
  public long logSegmentSizeBytes() {
    return logSegmentSizeBytes;
  }

  /**
   * Whether this node starts outside the cluster, as a standby waiting to be added with {@link
   * BatonAdmin#addNode} or {@link BatonAdmin#addListener}; see {@link Builder#join(boolean)}.
   */
  public boolean join() {
    return join;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeConfig c
        && id.equals(c.id)
        && peers.equals(c.peers)
        && dataDir.equals(c.dataDir)
        && clusterName.equals(c.clusterName)
        && failureDetection == c.failureDetection
        && snapshotPolicy.equals(c.snapshotPolicy)
        && maxCommandBytes == c.maxCommandBytes
        && logSegmentSizeBytes == c.logSegmentSizeBytes
        && join == c.join;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, peers, dataDir, clusterName, failureDetection, snapshotPolicy);
  }

  @Override
  public String toString() {
    return "NodeConfig{id="
        + id
        + ", peers="
        + peers
        + ", dataDir="
        + dataDir
        + ", clusterName="
        + clusterName
        + ", failureDetection="
        + failureDetection
        + " ("
        + failureDetection.electionTimeoutMin().toMillis()
        + "-"
        + failureDetection.electionTimeoutMax().toMillis()
        + " ms), snapshotPolicy="
        + snapshotPolicy
        + ", maxCommandBytes="
        + maxCommandBytes
        + ", logSegmentSizeBytes="
        + logSegmentSizeBytes
        + ", join="
        + join
        + "}";
  }

  /**
   * Builds a {@link NodeConfig}. Each setter checks its own argument at once; {@link #build()}
   * checks that the values fit together. Not thread-safe.
   */
  public static final class Builder {
    private String id;
    private List<Peer> peers;
    private Path dataDir;
    private String clusterName = "baton";
    private FailureDetection failureDetection = FailureDetection.DEFAULT;
    private SnapshotPolicy snapshotPolicy = SnapshotPolicy.DEFAULT;
    private int maxCommandBytes = 1 << 20;
    private long logSegmentSizeBytes = 32L << 20;
    private boolean join;

    private Builder() {}

    /** This node's id (required); must be the id of one of the {@link #peers}. */
    public Builder id(String id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * The cluster's initial members, this node included (required). Used when the cluster is first
     * formed; afterwards the membership recorded in the replicated log is authoritative.
     */
    public Builder peers(List<Peer> peers) {
      Objects.requireNonNull(peers, "peers");
      checkArgument(!peers.isEmpty(), "peers must not be empty");
      this.peers = List.copyOf(peers);
      return this;
    }

    /** The cluster's initial members as {@code id=host:port[,...]}; see {@link Peer#parseList}. */
    public Builder peers(String peers) {
      return peers(Peer.parseList(peers));
    }

    /**
     * The directory for this node's Raft log, snapshots and state (required). Created if absent.
     * Each node needs its own; a directory that holds another node's or another cluster's data is
     * refused at start.
     */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
      return this;
    }

    /**
     * The cluster's name (default {@code baton}). Nodes and clients of one cluster must use the
     * same name; change it to run several clusters on shared hosts without any risk of them mixing.
     */
    public Builder clusterName(String clusterName) {
      Objects.requireNonNull(clusterName, "clusterName");
      checkArgument(
          CLUSTER_NAME.matcher(clusterName).matches(),
          "clusterName '%s' must be 1-64 characters of [A-Za-z0-9_.-]",
          clusterName);
      this.clusterName = clusterName;
      return this;
    }

    /** The failure-detection profile (default {@link FailureDetection#DEFAULT}). */
    public Builder failureDetection(FailureDetection failureDetection) {
      this.failureDetection = Objects.requireNonNull(failureDetection, "failureDetection");
      return this;
    }

    /**
     * When to snapshot and how many snapshots to keep (default {@link SnapshotPolicy#DEFAULT}).
     * Snapshot more often to shorten restarts and the log on disk.
     */
    public Builder snapshotPolicy(SnapshotPolicy snapshotPolicy) {
      this.snapshotPolicy = Objects.requireNonNull(snapshotPolicy, "snapshotPolicy");
      return this;
    }

    /**
     * The largest command accepted, in bytes (default 1 MiB, range 1 B to 32 MiB). Larger commands
     * are rejected before they reach the log. Raise it only if commands really are that large:
     * every command is held in memory on every replica until applied.
     */
    public Builder maxCommandBytes(int maxCommandBytes) {
      checkArgument(
          maxCommandBytes >= 1 && maxCommandBytes <= (32 << 20),
          "maxCommandBytes (%s) must be between 1 and 33554432",
          maxCommandBytes);
      this.maxCommandBytes = maxCommandBytes;
      return this;
    }

    /**
     * The size of a Raft log segment (default 32 MiB, range 64 KiB to 1 GiB). Only closed segments
     * are purged after a snapshot, so smaller segments free disk sooner; larger ones mean fewer
     * files.
     */
    public Builder logSegmentSizeBytes(long logSegmentSizeBytes) {
      checkArgument(
          logSegmentSizeBytes >= (64 << 10) && logSegmentSizeBytes <= (1L << 30),
          "logSegmentSizeBytes (%s) must be between 65536 and 1073741824",
          logSegmentSizeBytes);
      this.logSegmentSizeBytes = logSegmentSizeBytes;
      return this;
    }

    /**
     * Starts the node in join mode (default false). A joining node is not yet a member: it starts
     * as a non-voting standby that never campaigns, with {@link #peers} naming the current members
     * and itself, and waits until an operator adds it with {@link BatonAdmin#addNode} (voter) or
     * {@link BatonAdmin#addListener} (warm standby); it then receives the state by snapshot and
     * log. Once it is a member, its data directory records the cluster's configuration, so a
     * restart with or without this flag rejoins as what it was.
     */
    public Builder join(boolean join) {
      this.join = join;
      return this;
    }

    /**
     * Checks the values against each other and returns the config.
     *
     * @throws IllegalStateException naming the field if a required value is missing
     * @throws IllegalArgumentException naming the fields if values conflict
     */
    public NodeConfig build() {
      if (id == null) {
        throw new IllegalStateException("id is required");
      }
      if (peers == null) {
        throw new IllegalStateException("peers is required");
      }
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      checkArgument(
          peers.stream().anyMatch(p -> p.id().equals(id)),
          "id '%s' is not one of peers %s",
          id,
          peers);
      Set<String> ids = new HashSet<>();
      Set<String> addresses = new HashSet<>();
      for (Peer p : peers) {
        checkArgument(ids.add(p.id()), "peers lists id '%s' twice: %s", p.id(), peers);
        checkArgument(
            addresses.add(p.address()), "peers lists address %s twice: %s", p.address(), peers);
      }
      checkArgument(
          maxCommandBytes + (64 << 10) <= logSegmentSizeBytes,
          "maxCommandBytes (%s) must be at least 64 KiB below logSegmentSizeBytes (%s)",
          maxCommandBytes,
          logSegmentSizeBytes);
      return new NodeConfig(this);
    }
  }
}
