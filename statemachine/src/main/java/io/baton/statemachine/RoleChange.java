package io.baton.statemachine;

import java.util.Objects;
import java.util.Optional;

/**
 * A change of this replica's role, delivered to {@link RoleListener}s.
 *
 * @param role the new role of this replica
 * @param term the Raft term in which the change happened
 * @param leaderId the id of the node this replica now knows as leader, if any
 * @since 0.1
 */
public record RoleChange(Role role, long term, Optional<String> leaderId) {
  public RoleChange {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(leaderId, "leaderId");
  }
}
