package io.baton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.baton.statemachine.Keys;
import io.baton.storage.SnapshotCatalog;
import io.baton.storage.SnapshotManifest;
import io.baton.testing.LocalCluster;
import io.baton.testing.RegisterStateMachine;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file damaged on one follower's disk, in its Raft log, its snapshots or its state store: the
 * node refuses to start with a message naming the file and saying what to do, and keeps its data
 * directory; or it recovers the full state. The other two nodes serve writes and linearizable reads
 * throughout, and no acknowledged write is lost.
 */
final class DamagedDiskTest {
  /* 128 KiB segments of about 120 one-KiB entries: a few hundred writes close several segments. */
  private static final int VALUE_BYTES = 1000;

  /* Enough entries past the purge gap (1024) that a snapshot purges the log. */
  private static final int PURGING_WRITES = 1200;

  @TempDir Path dir;

  private LocalCluster cluster;
  private BatonClient client;
  private String follower;
  private Path data;
  private int acknowledged;

  /**
   * Starts a cluster, writes {@code writes} acknowledged commands, optionally takes a snapshot on
   * every node (which purges the log if enough was written), writes a few more and stops a follower
   * cleanly.
   */
  private void startAndStopFollower(int writes, boolean snapshot) {
    cluster =
        LocalCluster.start(
            3,
            dir,
            id -> new RegisterStateMachine(),
            b -> b.logSegmentSizeBytes(128 << 10).maxCommandBytes(16 << 10));
    cluster.awaitLeader();
    client = cluster.newUnbatchedClient(); // the test counts log entries
    write(writes);
    follower = cluster.followerIds(cluster.awaitLeader()).get(0);
    data = dir.resolve(follower);
    if (snapshot) {
      cluster.awaitConverged();
      for (BatonNode n : cluster.liveNodes()) {
        n.takeSnapshot();
      }
      write(20);
    }
    cluster.awaitConverged();
    cluster.stop(follower);
  }

  private void write(int count) {
    List<CompletableFuture<byte[]>> replies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = "k" + (acknowledged + i);
      replies.add(client.submitAsync(RegisterStateMachine.put(key, value(key))));
    }
    replies.forEach(CompletableFuture::join);
    acknowledged += count;
  }

  private static String value(String key) {
    return key + "-" + "x".repeat(VALUE_BYTES);
  }

  /** The other nodes take writes and answer linearizable reads with every acknowledged write. */
  private void assertClusterServesEverything() {
    write(50);
    assertThat(Keys.toLong(client.query(count()))).isEqualTo(acknowledged);
    for (String key : List.of("k0", "k" + (acknowledged / 2), "k" + (acknowledged - 1))) {
      assertThat(Keys.utf8(client.query(RegisterStateMachine.get(key)))).isEqualTo(value(key));
    }
  }

  private static byte[] count() {
    return "count".getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Restarting the follower fails with a message containing each fragment and saying what to do.
   * Its Raft log, snapshots and identity are left as they were, and {@code damaged} is still there.
   * (Ratis trims a partial entry off the end of a segment, and RocksDB recovers its WAL into a new
   * SST file before Baton checks the rest, so their files may change on a start attempt.)
   */
  private void assertRestartRefused(Path damaged, String... fragments) throws IOException {
    Map<String, Long> before = files(data);
    before.keySet().removeIf(f -> !f.startsWith("raft") && !f.startsWith("baton-node"));
    before.remove(data.relativize(damaged).toString());
    Throwable thrown = catchThrowable(() -> cluster.restart(follower));
    assertThat(thrown).isInstanceOf(BatonException.class).hasMessageContaining(follower);
    for (String fragment : fragments) {
      assertThat(thrown).hasMessageContaining(fragment);
    }
    assertThat(thrown)
        .hasMessageContaining("move " + data + " aside")
        .hasMessageContaining("baton admin remove " + follower);
    assertThat(files(data)).containsAllEntriesOf(before);
    assertThat(damaged).exists();
    assertClusterServesEverything();
  }

  /** The follower restarts and converges on the full state. */
  private BatonNode assertRestartRecovers() {
    assertClusterServesEverything();
    BatonNode node = cluster.restart(follower);
    assertFollowerHoldsEverything();
    return node;
  }

  /** Every node applies new writes and holds the same state, and the follower has every write. */
  private void assertFollowerHoldsEverything() {
    write(50);
    cluster.awaitConverged();
    assertThat(Keys.toLong(client.queryNode(follower, count(), ReadConsistency.STALE)))
        .isEqualTo(acknowledged);
    byte[] first =
        client.queryNode(follower, RegisterStateMachine.get("k0"), ReadConsistency.STALE);
    assertThat(Keys.utf8(first)).isEqualTo(value("k0"));
  }

  /**
   * Regular files under {@code root} with their sizes, except the ones Ratis and RocksDB rewrite on
   * every start attempt (locks and RocksDB's info logs).
   */
  private static Map<String, Long> files(Path root) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String name = p.getFileName().toString();
        if (Files.isRegularFile(p)
            && !name.startsWith("LOG")
            && !name.equals("LOCK")
            && !name.equals("in_use.lock")) {
          files.put(root.relativize(p).toString(), Files.size(p));
        }
      }
    }
    return files;
  }

  private Path groupDir() throws IOException {
    try (Stream<Path> s = Files.list(data.resolve("raft"))) {
      return s.filter(p -> Files.isDirectory(p.resolve("current"))).findFirst().orElseThrow();
    }
  }

  private Path logDir() throws IOException {
    return groupDir().resolve("current");
  }

  private Path latestSnapshot() throws IOException {
    return new SnapshotCatalog(groupDir().resolve("sm")).latest().orElseThrow().dir();
  }

  private static List<Path> list(Path directory, String glob) throws IOException {
    List<Path> files = new ArrayList<>();
    try (var s = Files.newDirectoryStream(directory, glob)) {
      s.forEach(files::add);
    }
    files.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return files;
  }

  private static Path largest(Path directory, String glob) throws IOException {
    return list(directory, glob).stream()
        .max(Comparator.comparingLong(p -> p.toFile().length()))
        .orElseThrow();
  }

  /** The closed segments, log_<first>-<last>, by first index. */
  private List<Path> closedSegments() throws IOException {
    return list(logDir(), "log_[0-9]*-[0-9]*").stream()
        .sorted(Comparator.comparingLong(p -> firstIndex(p.getFileName().toString())))
        .toList();
  }

  private static long firstIndex(String segment) {
    return Long.parseLong(segment.substring("log_".length(), segment.indexOf('-')));
  }

  private static void truncate(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }

  private static void flipByte(Path file, long position) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(position);
      int b = f.read();
      f.seek(position);
      f.write(b ^ 0xFF);
    }
  }

  /** The position of {@code text} in {@code file}, at or after {@code from}. */
  private static long find(Path file, String text, long from) throws IOException {
    String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    int at = content.indexOf(text, Math.toIntExact(from));
    assertThat(at).as("%s in %s", text, file).isNotNegative();
    return at;
  }

  @AfterEach
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  // ---- Raft log ----

  /*
   * A torn last entry is what a crash leaves in the open segment. Ratis drops it with a warning; the
   * entry is on the other nodes (and in this node's store), and the leader sends it again.
   */
  @Test
  void raftLog_openSegmentTruncatedMidEntry_followerRecoversFromTheLeader() throws IOException {
    startAndStopFollower(300, false);
    Path open = list(logDir(), "log_inprogress_*").get(0);
    truncate(open, Files.size(open) - VALUE_BYTES / 2);

    assertRestartRecovers();
  }

  /* A closed segment that ends early leaves a gap in the log: Ratis refuses to load it. */
  @Test
  void raftLog_lastClosedSegmentTruncatedMidEntry_startIsRefusedNamingTheSegment()
      throws IOException {
    startAndStopFollower(300, false);
    List<Path> closed = closedSegments();
    Path segment = closed.get(closed.size() - 1);
    truncate(segment, Files.size(segment) / 2);

    assertRestartRefused(segment, segment.toString(), "is truncated");
  }

  /*
   * A flipped byte fails the entry's CRC32C (raft.server.log.corruption.policy=EXCEPTION). The node
   * is then brought back as the message says: data directory moved aside, removed, started empty in
   * join mode and added; it receives the state from the leader.
   */
  @Test
  void raftLog_byteFlippedInClosedSegment_startIsRefusedNamingTheSegment_thenNodeIsReAdded()
      throws IOException {
    startAndStopFollower(300, false);
    Path segment = closedSegments().get(0);
    // In the middle of a command's value, so the entry's framing is intact and its CRC is not.
    flipByte(segment, find(segment, "x".repeat(100), Files.size(segment) / 2) + 50);

    assertRestartRefused(segment, segment.toString(), "is corrupt at byte", "checksum");

    Files.move(data, dir.resolve(follower + ".damaged"));
    BatonAdmin admin = cluster.admin();
    admin.removeNode(follower);
    cluster.startJoining(follower);
    admin.addNode(
        cluster.peers().stream().filter(p -> p.id().equals(follower)).findFirst().orElseThrow());
    assertFollowerHoldsEverything();
  }

  // ---- Snapshots ----

  /*
   * A checkpoint's SST files start as hard links of the live store's; the store may have compacted
   * or flushed them away since. A byte flipped in a shared one is damage to the store: the start-up
   * check of the store's block checksums refuses it. Otherwise the store is intact, the full check
   * of the snapshot finds the damage, and the node replaces the snapshot by a new checkpoint.
   */
  @Test
  void snapshot_byteFlippedInSstFile_refusedIfSharedWithTheStore_elseSnapshotReplaced()
      throws IOException {
    startAndStopFollower(300, true);
    Path checkpoint = latestSnapshot();
    Path sst = largest(checkpoint, "*.sst");
    Path live = data.resolve("db").resolve(sst.getFileName());
    boolean shared = Files.exists(live) && Files.isSameFile(sst, live);
    flipByte(sst, Files.size(sst) / 2);

    if (shared) {
      assertRestartRefused(sst, live.toString(), "is damaged", "checksum mismatch");
    } else {
      BatonNode node = assertRestartRecovers();
      Path latest = latestSnapshot();
      SnapshotManifest.read(latest).verify(latest);
      assertThat(node.status().lastSnapshotIndex())
          .isEqualTo(SnapshotManifest.read(latest).index());
    }
  }

  /*
   * The store is intact and ahead of the snapshot, so the node replaces the damaged snapshot by a new
   * checkpoint of its store instead of keeping it to ship to a follower.
   */
  @Test
  void snapshot_manifestTruncated_isReplacedByANewCheckpoint_andNodeRecovers() throws IOException {
    startAndStopFollower(300, true);
    Path manifest = latestSnapshot().resolve(SnapshotManifest.FILE_NAME);
    truncate(manifest, Files.size(manifest) / 2);

    BatonNode node = assertRestartRecovers();

    Path latest = latestSnapshot();
    SnapshotManifest.read(latest).verify(latest);
    assertThat(node.status().lastSnapshotIndex()).isEqualTo(SnapshotManifest.read(latest).index());
  }

  // ---- State store (RocksDB) ----

  @Test
  void store_byteFlippedInSstFile_startIsRefusedNamingTheFile() throws IOException {
    startAndStopFollower(300, true);
    Path sst = largest(data.resolve("db"), "*.sst");
    flipByte(sst, Files.size(sst) / 2);

    assertRestartRefused(sst, sst.toString(), "is damaged", "checksum mismatch");
  }

  /*
   * RocksDB reads a MANIFEST that lost its tail as an older one. Depending on where it was cut, the
   * open fails, or the store opens at an older applied index, consistently (atomic flush, WAL
   * tracking), and Raft replays the rest.
   */
  @Test
  void store_manifestTruncated_startIsRefusedOrNodeRecovers() throws IOException {
    startAndStopFollower(300, true);
    Path manifest = list(data.resolve("db"), "MANIFEST-*").get(0);
    truncate(manifest, Files.size(manifest) / 2);

    Map<String, Long> before = files(groupDir());
    Throwable thrown = catchThrowable(() -> cluster.restart(follower));
    if (thrown == null) {
      assertFollowerHoldsEverything();
    } else {
      assertThat(thrown)
          .isInstanceOf(NodeStorageException.class)
          .hasCauseInstanceOf(io.baton.storage.StorageException.class)
          .hasMessageContaining(data.resolve("db").toString())
          .hasMessageContaining("move " + data + " aside");
      assertThat(files(groupDir())).containsAllEntriesOf(before);
    }
    assertClusterServesEverything();
  }

  @Test
  void store_currentDeletedOrGarbled_startIsRefusedNamingIt() throws IOException {
    startAndStopFollower(300, true);
    Path current = data.resolve("db").resolve("CURRENT");
    byte[] intact = Files.readAllBytes(current);

    Files.delete(current);
    assertRestartRefused(current.getParent(), current + " is missing");

    Files.writeString(current, "MANIFEST-0000zz\n");
    assertRestartRefused(current, current + " does not hold the name of a MANIFEST file");

    Files.write(current, intact);
    assertRestartRecovers();
  }

  // ---- After the log was purged ----

  /*
   * Once a snapshot purged the log, the entries before the log's first one exist on this node only
   * in its store and its snapshots. Three damages in turn, on one follower:
   *  1. the latest checkpoint's manifest deleted: it no longer counts as a snapshot, and Ratis
   *     would wait forever for the purged entries after the one before it (or after none). The
   *     store still holds them, so the node checkpoints it and resumes after it.
   *  2. the store deleted: restored from the latest snapshot, verified file by file, then the log
   *     tail is replayed.
   *  3. store and snapshots deleted: those entries exist nowhere on the node. Starting would leave
   *     it with an empty store that Ratis never fills; the start is refused.
   */
  @Test
  void afterLogPurge_snapshotOrStoreLost_recoversFromTheOther_bothLost_startIsRefused()
      throws IOException {
    startAndStopFollower(PURGING_WRITES, true);
    assertThat(list(logDir(), "log_*"))
        .isNotEmpty()
        .noneMatch(p -> p.getFileName().toString().matches("log_(inprogress_)?0\\D.*"));

    Files.delete(latestSnapshot().resolve(SnapshotManifest.FILE_NAME));
    assertRestartRecovers();
    cluster.stop(follower);

    TempDirs.deleteRecursively(data.resolve("db"));
    assertRestartRecovers();
    cluster.stop(follower);

    TempDirs.deleteRecursively(data.resolve("db"));
    TempDirs.deleteRecursively(groupDir().resolve("sm"));
    assertRestartRefused(
        logDir(), data.resolve("db").toString(), logDir().toString(), "are in none of them");
  }
}
