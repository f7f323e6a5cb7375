package io.baton;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A cluster at a glance, from {@link BatonAdmin#status()}: every member with its role and progress,
 * and the configuration as the leader holds it.
 *
 * @param leaderId the leader, if one answered
 * @param term the leader's term, or the highest term seen if there is no leader
 * @param members every voter and listener of the configuration, voters first, each in id order
 * @param configurationChanging whether a membership change is in progress (old and new
 *     configurations both in force)
 * @param autoFailback whether leadership returns to the highest-priority node automatically
 * @param takenAt when the status was collected
 * @since 0.1
 */
public record ClusterStatus(
    Optional<String> leaderId,
    long term,
    List<MemberStatus> members,
    boolean configurationChanging,
    boolean autoFailback,
    Instant takenAt) {

  public ClusterStatus {
    members = List.copyOf(members);
  }

  /** The member {@code id}, if it is in the configuration. */
  public Optional<MemberStatus> member(String id) {
    return members.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** The ids of the voting members. */
  public List<String> voters() {
    return members.stream().filter(MemberStatus::voter).map(MemberStatus::id).toList();
  }

  /** The ids of the listeners (non-voting warm standbys). */
  public List<String> listeners() {
    return members.stream().filter(m -> !m.voter()).map(MemberStatus::id).toList();
  }

  /** A table for people: one line per member, then the configuration. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "%-8s %-21s %-9s %-8s %4s %7s %6s %10s %10s %9s %8s %9s%n",
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
    for (MemberStatus m : members) {
      b.append(
          String.format(
              "%-8s %-21s %-9s %-8s %4d %7s %6s %10s %10s %9s %8s %9s%n",
              m.id(),
              m.address(),
              m.role().name().toLowerCase(java.util.Locale.ROOT),
              m.voter() ? "voter" : "listener",
              m.priority(),
              m.drained() ? "yes" : "no",
              orDash(m.term()),
              orDash(m.commitIndex()),
              orDash(m.appliedIndex()),
              orDash(m.lagEntries()),
              m.lastContactMillis() < 0 ? "-" : m.lastContactMillis() + "ms",
              orDash(m.lastSnapshotIndex())));
    }
    b.append("leader: ")
        .append(leaderId.orElse("none"))
        .append(", term ")
        .append(term)
        .append(", voters ")
        .append(voters())
        .append(", listeners ")
        .append(listeners())
        .append(", automatic failback ")
        .append(autoFailback ? "on" : "off")
        .append(configurationChanging ? ", membership change in progress" : "")
        .append('\n');
    return b.toString();
  }

  private static String orDash(long v) {
    return v < 0 ? "-" : Long.toString(v);
  }

  /** The same as JSON, for scripts. */
  public String toJson() {
    StringBuilder b = new StringBuilder("{");
    b.append("\"leader\":").append(leaderId.map(ClusterStatus::quote).orElse("null"));
    b.append(",\"term\":").append(term);
    b.append(",\"configurationChanging\":").append(configurationChanging);
    b.append(",\"autoFailback\":").append(autoFailback);
    b.append(",\"takenAt\":").append(quote(takenAt.toString()));
    b.append(",\"voters\":").append(ids(voters()));
    b.append(",\"listeners\":").append(ids(listeners()));
    b.append(",\"members\":[");
    for (int i = 0; i < members.size(); i++) {
      MemberStatus m = members.get(i);
      if (i > 0) {
        b.append(',');
      }
      b.append("{\"id\":").append(quote(m.id()));
      b.append(",\"address\":").append(quote(m.address()));
      b.append(",\"voter\":").append(m.voter());
      b.append(",\"role\":").append(quote(m.role().name().toLowerCase(java.util.Locale.ROOT)));
      b.append(",\"reachable\":").append(m.reachable());
      b.append(",\"priority\":").append(m.priority());
      b.append(",\"drained\":").append(m.drained());
      b.append(",\"term\":").append(m.term());
      b.append(",\"commitIndex\":").append(m.commitIndex());
      b.append(",\"appliedIndex\":").append(m.appliedIndex());
      b.append(",\"lastSnapshotIndex\":").append(m.lastSnapshotIndex());
      b.append(",\"lagEntries\":").append(m.lagEntries());
      b.append(",\"lastContactMillis\":").append(m.lastContactMillis());
      b.append('}');
    }
    return b.append("]}").toString();
  }

  private static String ids(List<String> ids) {
    return ids.stream()
        .map(ClusterStatus::quote)
        .collect(java.util.stream.Collectors.joining(",", "[", "]"));
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
