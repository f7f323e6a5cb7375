package io.baton;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A cluster at a glance, from {@link BatonAdmin#status()}: every member with its role and progress,
 * and the configuration as the leader holds it.
 *
 * <p>Data only: {@code baton admin status} renders it as a table or JSON ({@code
 * io.baton.cli.StatusFormat}).
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
}
