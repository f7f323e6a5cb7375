package io.baton.torture;

import io.baton.BatonAdmin;
import io.baton.Peer;
import io.baton.VerifyResult;
import io.baton.internal.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Two views of the same question, so that each covers the other's blind spot.
 *
 * The scan (ScanConvergenceCheck) reads what the kv application exposes and, on a difference, names
 * the keys and each replica's value: that is what a reader of the report needs. But it sees only
 * what the application's scan returns.
 *
 * BatonAdmin.verify() is the product's own consistency check: it appends a digest mark to the log,
 * so every replica hashes its whole RocksDB state (every keyspace, Baton's metadata excluded) at
 * exactly that log index. It catches a difference the scan cannot see, and it exercises the
 * feature operators use to catch a non-deterministic state machine. A replica that does not answer
 * fails the check: after the final heal every node must be up.
 *
 * The verify call is retried while replicas are unreachable, because a node restarted by the last
 * fault may still be opening its store; a digest mismatch is never retried.
 */
/** Replica comparison by STALE scans and by the admin digest check through the log. */
final class DigestConvergenceCheck implements ConvergenceCheck {
  private final ConvergenceCheck scan;
  private final List<Peer> peers;

  DigestConvergenceCheck(ConvergenceCheck scan, List<Peer> peers) {
    this.scan = scan;
    this.peers = List.copyOf(peers);
  }

  @Override
  public Result check(List<String> nodeIds, Duration timeout) {
    long started = System.nanoTime();
    Result scanned = scan.check(nodeIds, timeout);
    List<String> differences = new ArrayList<>(scanned.differences());
    Map<String, String> digests = new LinkedHashMap<>(scanned.digests());
    String method = scanned.method() + "; admin verify (store digest through the log)";

    Duration remaining = timeout.minusNanos(System.nanoTime() - started);
    if (remaining.compareTo(Duration.ofSeconds(10)) < 0) {
      remaining = Duration.ofSeconds(10);
    }
    VerifyResult verified = null;
    String lastError = "";
    Deadline deadline = Deadline.after(remaining);
    try (BatonAdmin admin = BatonAdmin.newBuilder().peers(peers).actor("torture").build()) {
      do {
        try {
          verified = admin.verify();
          if (verified.unreachable().isEmpty()
              && verified.digests().keySet().containsAll(nodeIds)) {
            break;
          }
          lastError = "unreachable " + verified.unreachable();
        } catch (RuntimeException e) {
          lastError = Workload.describe(e);
        }
      } while (deadline.pause(Duration.ofMillis(500)));
    }
    boolean digestsAgree = false;
    if (verified == null) {
      differences.add("admin verify never answered: " + lastError);
    } else {
      verified.digests().forEach((node, d) -> digests.put(node + " store", shorten(d)));
      List<String> missing = new ArrayList<>(nodeIds);
      missing.removeAll(verified.digests().keySet());
      if (!missing.isEmpty()) {
        differences.add("admin verify: no digest from " + missing + " (" + lastError + ")");
      } else if (!verified.consistent()) {
        differences.add(
            "admin verify at index "
                + verified.index()
                + ": store digests differ, divergent "
                + verified.divergent()
                + " "
                + verified.digests());
      } else {
        digestsAgree = true;
        method += " at index " + verified.index();
      }
    }
    return new Result(
        scanned.converged() && digestsAgree,
        method,
        digests,
        scanned.entries(),
        List.copyOf(differences),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private static String shorten(String digest) {
    return digest.length() > 16 ? digest.substring(0, 16) : digest;
  }
}
