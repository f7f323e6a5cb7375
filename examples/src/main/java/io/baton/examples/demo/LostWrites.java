package io.baton.examples.demo;

import com.google.protobuf.ByteString;
import io.baton.BatonClient;
import io.baton.ReadConsistency;
import io.baton.examples.demo.DemoWriter.Write;
import io.baton.examples.kv.KvStateMachine;
import io.baton.examples.kv.proto.Entry;
import io.baton.examples.kv.proto.KvQuery;
import io.baton.examples.kv.proto.KvReply;
import io.baton.examples.kv.proto.Scan;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's lost-write check: reads the whole state of each surviving replica and looks up every
 * acknowledged write in it, printing the first few that are missing.
 */
final class LostWrites {
  private final BatonClient client;
  private final PrintStream out;

  LostWrites(BatonClient client, PrintStream out) {
    this.client = client;
    this.out = out;
  }

  /**
   * Checks every acknowledged write against each node in {@code alive}, reading that replica's own
   * state; returns how many acknowledged keys were missing or held another value.
   */
  long count(List<String> alive, List<Write> acks) {
    long lost = 0;
    for (String n : alive) {
      Map<String, String> replica = readAll(client, n);
      for (Write w : acks) {
        String value = replica.get("k-" + w.number());
        if (!("v-" + w.number()).equals(value) && ++lost <= 5) {
          out.printf("  missing on %s: k-%d (found %s)%n", n, w.number(), value);
        }
      }
    }
    return lost;
  }

  /**
   * Every {@code k-} entry of node {@code nodeId}'s state, read in pages with {@link
   * ReadConsistency#STALE} queries that node answers itself: one round trip per page rather than
   * one per key.
   */
  private static Map<String, String> readAll(BatonClient client, String nodeId) {
    Map<String, String> entries = new HashMap<>();
    ByteString prefix = ByteString.copyFromUtf8("k-");
    ByteString after = null;
    while (true) {
      Scan.Builder scan =
          Scan.newBuilder().setPrefix(prefix).setLimit(KvStateMachine.MAX_SCAN_LIMIT);
      if (after != null) {
        scan.setStartAfter(after);
      }
      KvReply page =
          KvStateMachine.REPLIES.decode(
              client.queryNode(
                  nodeId,
                  KvQuery.newBuilder().setScan(scan).build().toByteArray(),
                  ReadConsistency.STALE));
      for (Entry e : page.getEntriesList()) {
        entries.put(e.getKey().toStringUtf8(), e.getValue().toStringUtf8());
        after = e.getKey();
      }
      if (!page.getMore()) {
        return entries;
      }
    }
  }
}
