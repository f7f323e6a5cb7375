package io.baton.torture;

import com.google.protobuf.ByteString;
import io.baton.BatonClient;
import io.baton.ReadConsistency;
import io.baton.examples.kv.KvClient;
import io.baton.examples.kv.KvStateMachine;
import io.baton.examples.kv.proto.Entry;
import io.baton.examples.kv.proto.KvQuery;
import io.baton.examples.kv.proto.KvReply;
import io.baton.examples.kv.proto.Scan;
import io.baton.internal.Await;
import io.baton.internal.Deadline;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/*
 * Convergence by reading every replica's whole state through the kv example's scan, with STALE
 * reads addressed to each node (each node answers from its own state).
 *
 * "Same applied index" is established without an admin API: the check writes a fresh marker with
 * a linearizable put after the clients have stopped, so the marker is the last state change in the
 * log, and waits until every replica's own state shows it. A replica that shows the marker has
 * applied everything before it, and nothing after it changes state, so at that point every replica
 * must hold the same entries. The comparison is retried a few times before it reports a difference,
 * in case an entry that changes nothing (a Raft no-op) is still being applied somewhere.
 */
/** Compares every replica's full kv state, read with STALE scans per node. */
final class ScanConvergenceCheck implements ConvergenceCheck {
  private static final int PAGE = KvStateMachine.MAX_SCAN_LIMIT;

  private final BatonClient client;

  ScanConvergenceCheck(BatonClient client) {
    this.client = client;
  }

  @Override
  public Result check(List<String> nodeIds, Duration timeout) {
    long started = System.nanoTime();
    Deadline deadline = Deadline.after(timeout);
    KvClient kv = new KvClient(client);
    String marker = "torture/final";
    String value = "m" + System.nanoTime();
    boolean written = Retry.until(timeout, () -> kv.put(marker, value));
    List<String> differences = new ArrayList<>();
    if (!written) {
      differences.add(
          "the final marker write never succeeded within " + timeout.toSeconds() + " s");
      return result(false, Map.of(), differences, started);
    }
    for (String node : nodeIds) {
      boolean caughtUp =
          Await.until(deadline, Duration.ofMillis(200), () -> holds(kv, node, marker, value));
      if (!caughtUp) {
        differences.add(
            node + " never applied the final marker within " + timeout.toSeconds() + " s");
      }
    }
    if (!differences.isEmpty()) {
      return result(false, Map.of(), differences, started);
    }
    Map<String, Map<String, String>> states = new LinkedHashMap<>();
    for (int attempt = 0; attempt < 5; attempt++) {
      states.clear();
      differences.clear();
      for (String node : nodeIds) {
        try {
          states.put(node, scanAll(node));
        } catch (RuntimeException e) {
          differences.add("could not scan " + node + ": " + Workload.describe(e));
        }
      }
      if (differences.isEmpty()) {
        differences.addAll(compare(states));
      }
      if (differences.isEmpty() || !deadline.pause(Duration.ofSeconds(1))) {
        break;
      }
    }
    return result(differences.isEmpty(), states, differences, started);
  }

  /** Whether a STALE read on {@code node} returns {@code value} for {@code key}. */
  private static boolean holds(KvClient kv, String node, String key, String value) {
    try {
      return kv.get(key, ReadConsistency.STALE, node).equals(Optional.of(value));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private Map<String, String> scanAll(String node) {
    Map<String, String> entries = new TreeMap<>();
    ByteString after = null;
    while (true) {
      Scan.Builder scan = Scan.newBuilder().setLimit(PAGE);
      if (after != null) {
        scan.setStartAfter(after);
      }
      byte[] bytes =
          client.queryNode(
              node,
              KvQuery.newBuilder().setScan(scan).build().toByteArray(),
              ReadConsistency.STALE);
      KvReply reply = KvStateMachine.REPLIES.decode(bytes);
      for (Entry e : reply.getEntriesList()) {
        entries.put(e.getKey().toStringUtf8(), e.getValue().toStringUtf8());
        after = e.getKey();
      }
      if (!reply.getMore() || reply.getEntriesCount() == 0) {
        return entries;
      }
    }
  }

  private static List<String> compare(Map<String, Map<String, String>> states) {
    List<String> differences = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>();
    states.values().forEach(m -> keys.addAll(m.keySet()));
    for (String key : keys) {
      Map<String, String> byNode = new LinkedHashMap<>();
      states.forEach((node, m) -> byNode.put(node, m.get(key)));
      if (byNode.values().stream().distinct().count() > 1) {
        differences.add(key + ": " + byNode);
        if (differences.size() >= 10) {
          differences.add("... (first 10 differences shown)");
          break;
        }
      }
    }
    return differences;
  }

  private static Result result(
      boolean converged,
      Map<String, Map<String, String>> states,
      List<String> differences,
      long started) {
    Map<String, String> digests = new LinkedHashMap<>();
    Map<String, Integer> sizes = new LinkedHashMap<>();
    states.forEach(
        (node, m) -> {
          digests.put(node, digest(m));
          sizes.put(node, m.size());
        });
    return new Result(
        converged,
        "STALE scan of every replica after a final marker write",
        digests,
        sizes,
        List.copyOf(differences),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static String digest(Map<String, String> entries) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : entries.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(Objects.requireNonNull(e.getValue()).getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
