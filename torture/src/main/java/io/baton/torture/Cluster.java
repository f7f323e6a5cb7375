package io.baton.torture;

import io.baton.FailureDetection;
import io.baton.Peer;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import io.baton.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** The node processes of a run: starting, killing, pausing, and knowing who leads. */
final class Cluster implements AutoCloseable {
  private final Network network;
  private final Path dataRoot;
  private final Map<String, NodeProcess> nodes = new LinkedHashMap<>();
  private final List<Peer> peers = new ArrayList<>();
  private final List<NodeProcess.RoleEvent> roleEvents = new CopyOnWriteArrayList<>();
  private final List<String> unexpectedExits = new CopyOnWriteArrayList<>();

  Cluster(
      List<String> ids,
      Network network,
      Path dataRoot,
      Path logDir,
      FailureDetection profile,
      long snapshotEvery) {
    this.network = network;
    this.dataRoot = dataRoot;
    for (String id : ids) {
      peers.add(Peer.of(id, network.host(id), network.port(id)));
    }
    String peerList = peers.stream().map(Peer::toString).collect(Collectors.joining(","));
    try {
      Files.createDirectories(dataRoot);
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String id : ids) {
      List<String> java = new ArrayList<>();
      java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      java.addAll(
          List.of(
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-ea",
              // As ./baton does on small machines (docs/operations.md, JVM settings).
              "-Djava.util.concurrent.ForkJoinPool.common.parallelism=2",
              "-Dorg.slf4j.simpleLogger.showDateTime=true",
              "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
              "-cp",
              classPath(),
              KvNodeMain.class.getName(),
              "node",
              "--id",
              id,
              "--peers",
              peerList,
              "--data",
              dataDir(id).toString(),
              "--app",
              "kv",
              "--profile",
              profile.name(),
              "--snapshot-every",
              Long.toString(snapshotEvery)));
      nodes.put(
          id,
          new NodeProcess(
              id,
              network.wrap(id, java),
              logDir.resolve(id + ".log"),
              roleEvents::add,
              unexpectedExits::add));
    }
  }

  /**
   * The class path for node JVMs: this JVM's own (the shaded torture.jar, or under Maven the test
   * class path, which holds baton-examples).
   */
  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire
        : System.getProperty("java.class.path");
  }

  List<Peer> peers() {
    return List.copyOf(peers);
  }

  /** Node {@code id}'s id and address, as clients and peers know it. */
  Peer peer(String id) {
    node(id);
    return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
  }

  /** Node {@code id}'s data directory. */
  Path dataDir(String id) {
    return dataRoot.resolve(id).toAbsolutePath();
  }

  /** Deletes node {@code id}'s data directory; the node must not be running. */
  void wipe(String id) {
    if (node(id).alive()) {
      throw new IllegalStateException("node " + id + " is running; stop it before wiping its data");
    }
    TempDirs.deleteRecursively(dataDir(id));
  }

  List<String> ids() {
    return List.copyOf(nodes.keySet());
  }

  NodeProcess node(String id) {
    NodeProcess n = nodes.get(id);
    if (n == null) {
      throw new IllegalArgumentException("no node " + id);
    }
    return n;
  }

  /** Starts every node and waits until each has started. */
  void startAll(Duration timeout) {
    nodes.values().forEach(NodeProcess::start);
    for (NodeProcess n : nodes.values()) {
      n.awaitStarted(timeout);
    }
  }

  /** The leader: the live, running node that last announced itself leader in the highest term. */
  Optional<String> leader() {
    NodeProcess best = null;
    for (NodeProcess n : nodes.values()) {
      if (n.alive() && !n.paused() && n.role().equals("LEADER")) {
        if (best == null || n.term() > best.term()) {
          best = n;
        }
      }
    }
    return Optional.ofNullable(best).map(n -> n.id);
  }

  /** The highest term any node announced. */
  long maxTerm() {
    return roleEvents.stream().mapToLong(NodeProcess.RoleEvent::term).max().orElse(0);
  }

  /** Role changes announced by the nodes, in arrival order. */
  List<NodeProcess.RoleEvent> roleEvents() {
    return List.copyOf(roleEvents);
  }

  /** Waits up to {@code timeout} for a node other than {@code excluded} to lead in a term above. */
  Optional<NodeProcess.RoleEvent> awaitNewLeader(
      String excluded, long aboveTerm, Duration timeout) {
    return Await.poll(
        Deadline.after(timeout),
        Duration.ofMillis(20),
        () ->
            roleEvents.stream()
                .filter(
                    e ->
                        e.role().equals("LEADER")
                            && e.term() > aboveTerm
                            && !e.node().equals(excluded))
                .findFirst());
  }

  /** Node exits nobody asked for. */
  List<String> unexpectedExits() {
    return List.copyOf(unexpectedExits);
  }

  /** Pids of the node JVMs now running. */
  List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    for (NodeProcess n : nodes.values()) {
      if (n.alive()) {
        pids.add(n.pid());
      }
    }
    return pids;
  }

  Network network() {
    return network;
  }

  /** Resumes paused nodes, then stops every node: SIGTERM, SIGKILL after 10 s. */
  @Override
  public void close() {
    List<Thread> stoppers = new ArrayList<>();
    for (NodeProcess n : nodes.values()) {
      Thread t = new Thread(() -> n.stop(Duration.ofSeconds(10)), "torture-stop-" + n.id);
      stoppers.add(t);
      t.start();
    }
    for (Thread t : stoppers) {
      try {
        t.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
