package io.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.baton.ClusterStatus;
import io.baton.MemberStatus;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link ClusterStatus} for {@code baton admin status}: a table for people, or JSON (one
 * object, written by Jackson) for scripts. The JSON field names are part of the command line's
 * contract (docs/operations.md); unknown values are -1 in JSON and "-" in the table. A follower the
 * leader finds stuck shows STUCK as its lag and gets a line of its own under the table.
 */
public final class StatusFormat {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "%-8s %-21s %-9s %-8s %4s %7s %6s %10s %10s %9s %8s %9s%n";

  private StatusFormat() {}

  /** A table: one line per member, then a line on the leader and the configuration. */
  public static String table(ClusterStatus status) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            COLUMNS,
            "ID",
            "ADDRESS",
            "ROLE",
            "MEMBER",
            "PRIO",
            "DRAINED",
            "TERM",
            "COMMIT",
            "APPLIED",
            "LAG",
            "CONTACT",
            "SNAPSHOT"));
    for (MemberStatus m : status.members()) {
      b.append(
          String.format(
              COLUMNS,
              m.id(),
              m.address(),
              role(m),
              m.voter() ? "voter" : "listener",
              m.priority(),
              m.drained() ? "yes" : "no",
              orDash(m.term()),
              orDash(m.commitIndex()),
              orDash(m.appliedIndex()),
              m.stuck() && m.reachable() ? "STUCK" : orDash(m.lagEntries()),
              m.lastContactMillis() < 0 ? "-" : m.lastContactMillis() + "ms",
              orDash(m.lastSnapshotIndex())));
    }
    for (MemberStatus m : status.members()) {
      if (m.stuck() && m.reachable()) {
        b.append(m.id())
            .append(": STUCK since ")
            .append(duration(m.stuckForMillis()))
            .append(" at index ")
            .append(m.stuckAtIndex())
            .append(" (")
            .append(orDash(m.lagEntries()))
            .append(" behind); the leader is restarting its replication\n");
      }
    }
    b.append("leader: ")
        .append(status.leaderId().orElse("none"))
        .append(", term ")
        .append(status.term())
        .append(", voters ")
        .append(status.voters())
        .append(", listeners ")
        .append(status.listeners())
        .append(", automatic failback ")
        .append(status.autoFailback() ? "on" : "off")
        .append(status.configurationChanging() ? ", membership change in progress" : "")
        .append('\n');
    return b.toString();
  }

  /** The same as one JSON object on one line, without a line break. */
  public static String json(ClusterStatus status) {
    ObjectNode root = JSON.createObjectNode();
    root.put("leader", status.leaderId().orElse(null));
    root.put("term", status.term());
    root.put("configurationChanging", status.configurationChanging());
    root.put("autoFailback", status.autoFailback());
    root.put("takenAt", status.takenAt().toString());
    ids(root.putArray("voters"), status.voters());
    ids(root.putArray("listeners"), status.listeners());
    ArrayNode members = root.putArray("members");
    for (MemberStatus m : status.members()) {
      members
          .addObject()
          .put("id", m.id())
          .put("address", m.address())
          .put("voter", m.voter())
          .put("role", role(m))
          .put("reachable", m.reachable())
          .put("priority", m.priority())
          .put("drained", m.drained())
          .put("term", m.term())
          .put("commitIndex", m.commitIndex())
          .put("appliedIndex", m.appliedIndex())
          .put("lastSnapshotIndex", m.lastSnapshotIndex())
          .put("lagEntries", m.lagEntries())
          .put("lastContactMillis", m.lastContactMillis())
          .put("stuckForMillis", m.stuckForMillis())
          .put("stuckAtIndex", m.stuckAtIndex());
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      // A tree of strings, numbers and booleans always serializes.
      throw new UncheckedIOException(e);
    }
  }

  private static void ids(ArrayNode array, List<String> ids) {
    ids.forEach(array::add);
  }

  private static String role(MemberStatus m) {
    return m.role().name().toLowerCase(Locale.ROOT);
  }

  /** {@code 850ms}, {@code 6s}, {@code 4m12s}. */
  static String duration(long millis) {
    if (millis < 1000) {
      return millis + "ms";
    }
    long seconds = millis / 1000;
    return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
  }

  private static String orDash(long v) {
    return v < 0 ? "-" : Long.toString(v);
  }
}
