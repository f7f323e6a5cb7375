package io.baton.internal.ratis;

import io.baton.BatonException;
import io.baton.NodeConfig;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;
import java.util.stream.Stream;

/*
 * A node's data directory:
 *
 *   <dataDir>/baton-node.properties   identity: format, node id, cluster name, Raft group id
 *   <dataDir>/raft/                   Ratis storage: <group-uuid>/current (log, votes, conf),
 *                                     <group-uuid>/sm (snapshots: ckpt_<term>_<index>/)
 *   <dataDir>/db/                     the live RocksDB state store
 *
 * The identity file is written once, when the node first starts on an empty directory, and checked
 * on every start. It is what stops a node from starting on another node's data (two nodes with the
 * same Raft identity would each vote once per term and break election safety, Raft §5.2), or on
 * another cluster's data, or on a directory of unrelated files that a wrong path points at: in each
 * case the node refuses to start instead of silently beginning empty over data it did not write.
 * It is kept outside the state store because the store is replaced wholesale when a snapshot from
 * the leader (another node) is installed.
 */
/** Lays out and checks a node's data directory. Not API. */
final class DataDirectory {
  static final String IDENTITY_FILE = "baton-node.properties";
  private static final String FORMAT = "1";

  private final Path root;

  private DataDirectory(Path root) {
    this.root = root;
  }

  Path raftDir() {
    return root.resolve("raft");
  }

  Path dbDir() {
    return root.resolve("db");
  }

  /**
   * Opens {@code config.dataDir()}: creates and stamps it if absent or empty, otherwise checks its
   * identity against {@code config}.
   *
   * @throws BatonException if it belongs to another node or cluster, or holds foreign files
   */
  static DataDirectory open(NodeConfig config) {
    Path root = config.dataDir();
    String groupId = RaftConfig.groupId(config.clusterName()).getUuid().toString();
    try {
      Files.createDirectories(root);
      Path identity = root.resolve(IDENTITY_FILE);
      if (Files.exists(identity)) {
        check(root, identity, config, groupId);
      } else if (isEmpty(root)) {
        stamp(root, identity, config, groupId);
      } else {
        throw new BatonException(
            "data directory "
                + root
                + " is not empty and has no "
                + IDENTITY_FILE
                + ": it was not written by a Baton node. Refusing to start over data Baton did not"
                + " write; point --data at an empty or new directory, or at this node's own one");
      }
      return new DataDirectory(root);
    } catch (IOException e) {
      throw new BatonException("cannot open data directory " + root + ": " + e, e);
    }
  }

  private static void check(Path root, Path identity, NodeConfig config, String groupId)
      throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(identity, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    String format = p.getProperty("format");
    String nodeId = p.getProperty("nodeId");
    String cluster = p.getProperty("clusterName");
    if (!FORMAT.equals(format) || nodeId == null || cluster == null) {
      throw new BatonException(
          "identity file "
              + identity
              + " is damaged or of an unknown format (format="
              + format
              + ")");
    }
    if (!cluster.equals(config.clusterName())) {
      throw new BatonException(
          "data directory "
              + root
              + " belongs to cluster '"
              + cluster
              + "', not '"
              + config.clusterName()
              + "'; refusing to start");
    }
    if (!nodeId.equals(config.id())) {
      throw new BatonException(
          "data directory "
              + root
              + " belongs to node '"
              + nodeId
              + "' of cluster '"
              + cluster
              + "', not to node '"
              + config.id()
              + "'; refusing to start (each node needs its own data directory)");
    }
    if (!groupId.equals(p.getProperty("groupId"))) {
      throw new BatonException(
          "identity file "
              + identity
              + " names Raft group "
              + p.getProperty("groupId")
              + ", expected "
              + groupId
              + "; refusing to start");
    }
  }

  private static void stamp(Path root, Path identity, NodeConfig config, String groupId)
      throws IOException {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("nodeId", config.id());
    p.setProperty("clusterName", config.clusterName());
    p.setProperty("groupId", groupId);
    Path tmp = root.resolve(IDENTITY_FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "Baton node identity. Do not copy this directory to another node.");
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    try {
      Files.move(tmp, identity, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, identity, StandardCopyOption.REPLACE_EXISTING);
    }
    // The rename is durable only once the directory itself is synced.
    try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }
}
